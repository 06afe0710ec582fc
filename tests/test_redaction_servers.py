"""Identifiers typed over REST and SMS reach no table and no log file of the running servers."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import MetaData, select

from signpost.knowledge.db import make_engine
from tests.http import say
from tests.signpost.test_redaction import IDENTIFIERS
from tests.test_sms_channel import new_number, text

pytestmark = pytest.mark.servers

MESSAGES = [
    "my neck keeps pulling to the left, call me on {}",
    "can you help, {} is me and my eyes keep closing",
]


def everything_stored(database_url: str) -> str:
    """Every value in every table, as one string."""
    engine = make_engine(database_url)
    meta = MetaData()
    meta.reflect(engine)
    parts = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)):
                parts.extend(str(value) for value in row)
    engine.dispose()
    return "\n".join(parts)


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
