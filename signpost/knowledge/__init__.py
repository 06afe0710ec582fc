"""Knowledge base: reviewed content in YAML, seeded into SQL, read through repository functions."""
