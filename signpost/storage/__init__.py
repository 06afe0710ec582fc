"""Storage shared by every process: the engine, the declarative base, the UTC clock."""
