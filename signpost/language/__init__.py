"""Pure text logic shared by the processes: triage, red-flag matching, framing, reading age,
redaction and SMS text. No database, no Rasa."""
