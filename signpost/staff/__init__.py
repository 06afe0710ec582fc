"""Helpline staff: accounts, sessions and the caller triage card."""
