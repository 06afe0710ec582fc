"""Rasa-facing plug-ins: the tracker and lock stores, the safety policy, resilience, the
server start, Rasa patches, the channels and the NLU components. Only the Rasa server
process loads this package."""
