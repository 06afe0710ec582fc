"""rasa-sdk action server: thin adapters from a Tracker to knowledge-base replies."""
