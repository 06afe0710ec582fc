"""Property-based tests: arbitrary input into every field of every public endpoint."""
