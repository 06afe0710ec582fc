"""SMS helpers: hashed ids, GSM text, numbered options, length limit, TwiML."""

from __future__ import annotations

import re

import pytest

from signpost.channels.sms_text import MAX_REPLY_CHARS, OptionWords, conversation_id, render, to_gsm, twiml

OPTIONS = OptionWords("Reply {choices}.", "{number} for {title}")


def test_conversation_id_is_a_keyed_hash_of_the_number():
    a = conversation_id(b"secret", "+44 7700 900123")
    assert a == conversation_id(b"secret", "07700900123"), "formats of one number agree"
    assert a != conversation_id(b"other", "+447700900123"), "depends on the secret"
    assert a != conversation_id(b"secret", "+447700900124")
    assert not re.search(r"7700|900123", a)


def test_gsm_text():
    assert to_gsm("• it’s “fine” – ok…") == '- it\'s "fine" - ok...'
    assert to_gsm("emoji 🙂") == "emoji ?"


def test_buttons_become_numbered_options():
    reply = render(
        [
            {
                "text": "Which part?",
                "buttons": [{"title": "Neck", "payload": "my neck"}, {"title": "Eyes", "payload": "my eyes"}],
            }
        ],
        OPTIONS,
    )
    assert reply.body == "Which part?\n\nReply 1 for Neck, 2 for Eyes."
    assert reply.options == {"1": "my neck", "2": "my eyes"}


def test_over_the_limit_the_middle_is_shortened_not_the_ends():
    first, last = "Call 999 now.", "General information only, not a diagnosis."
    messages = [{"text": first}, {"text": "word " * 600}, {"text": last}]
    reply = render(messages, OPTIONS)
    assert len(reply.body) <= MAX_REPLY_CHARS
    assert reply.body.startswith(first) and reply.body.endswith(last)


@pytest.mark.parametrize("body,expected", [(None, "<Response/>"), ("a < b & c", "<Message>a &lt; b &amp; c</Message>")])
def test_twiml(body, expected):
    assert expected in twiml(body)
