"""Identifiers typed over REST and SMS reach no table and no log file of the running servers."""

from __future__ import annotations

import uuid

import pytest

from tests.http import say
from tests.signpost.language.test_redaction import IDENTIFIERS
from tests.tables import everything_stored
from tests.test_sms_channel import new_number, text

pytestmark = pytest.mark.servers

MESSAGES = [
    "my neck keeps pulling to the left, call me on {}",
    "can you help, {} is me and my eyes keep closing",
]


def test_identifiers_sent_over_rest_and_sms_are_not_stored_or_logged(servers):
    sender = f"privacy-{uuid.uuid4().hex[:8]}"
    number = new_number()
    for n, (identifier, placeholder) in enumerate(IDENTIFIERS):
        message = MESSAGES[n % len(MESSAGES)].format(identifier)
        assert say(servers.base, sender, message), message  # the bot still answers
        if n % 4 == 0:
            assert text(servers, number, message)
    stored = everything_stored(servers.database_url)
    assert "[phone]" in stored and "[email]" in stored and "[postcode]" in stored  # redacted, not dropped
    assert "my neck keeps pulling to the left" in stored
    logs = "\n".join(p.read_text(errors="replace") for p in servers.log_dir.glob("*.log"))
    for identifier, _ in IDENTIFIERS:
        assert identifier not in stored, identifier
        assert identifier not in logs, identifier
