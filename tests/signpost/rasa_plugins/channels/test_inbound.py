"""Cleaning message text before Rasa sees it."""

from __future__ import annotations

import pytest

from signpost.rasa_plugins.channels.inbound import MAX_MESSAGE_CHARS, clean_message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("my neck twists", "my neck twists"),
        ("  my neck twists \n", "my neck twists"),
        ("/restart", "restart"),
        ('/describe_symptoms{"body_region": "neck"}', 'describe_symptoms{"body_region": "neck"}'),
        ("  //red_flag_emergency", "red_flag_emergency"),
        ("my\u200b neck\ufeff", "my neck"),
        ("neck\x00\x07twists", "neck  twists"),
        ("\u202eskcen ym", "skcen ym"),  # a right-to-left override is dropped
        ("رقبتي تلتوي", "رقبتي تلتوي"),  # right-to-left text is kept
        ("my 👩‍👧 neck", "my 👩👧 neck"),
        ("a/b is fine", "a/b is fine"),
        ("line one\nline two", "line one\nline two"),
    ],
)
def test_clean_message(raw, expected):
    assert clean_message(raw).text == expected
    assert not clean_message(raw).cut


def test_long_messages_are_cut():
    cleaned = clean_message("neck " * 1000)
    assert cleaned.cut and len(cleaned.text) <= MAX_MESSAGE_CHARS
    assert not clean_message("x" * MAX_MESSAGE_CHARS).cut
