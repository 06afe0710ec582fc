"""What the assistant keeps about a conversation beyond Rasa's own events."""
