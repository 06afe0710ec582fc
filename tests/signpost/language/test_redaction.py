"""Identifiers inside otherwise normal messages are replaced; the rest is kept."""

from __future__ import annotations

import pytest

from signpost.language.redaction import is_nhs_number, redact

IDENTIFIERS = [
    # (identifier, placeholder)
    ("07700 900123", "[phone]"),
    ("07911123456", "[phone]"),
    ("020 7946 0958", "[phone]"),
    ("(0161) 496 0000", "[phone]"),
    ("+44 20 7946 0958", "[phone]"),
    ("+447911123456", "[phone]"),
    ("0044 7911 123456", "[phone]"),
    ("+1 415 555 2671", "[phone]"),
    ("+33 1 42 68 53 00", "[phone]"),
    ("jane.doe+dys@example.co.uk", "[email]"),
    ("J_SMITH@NHS.NET", "[email]"),
    ("943 476 5919", "[nhs number]"),
    ("9434765919", "[nhs number]"),
    ("943-476-5919", "[nhs number]"),
    ("SW1A 1AA", "[postcode]"),
    ("m1 1ae", "[postcode]"),
    ("EC1A1BB", "[postcode]"),
    ("B33 8TH", "[postcode]"),
    ("12/03/1980", "[date]"),
    ("1-2-79", "[date]"),
    ("1980-03-12", "[date]"),
    ("12 March 1980", "[date]"),
    ("3rd of June 1975", "[date]"),
    ("March 12, 1980", "[date]"),
]
FRAMES = [
    "my neck keeps pulling to the left, call me on {} please",
    "{} - that's me. My eyes keep closing",
    "I'm worried about my hand ({}) and the cramps when I write",
]


@pytest.mark.parametrize(("identifier", "placeholder"), IDENTIFIERS)
@pytest.mark.parametrize("frame", FRAMES)
def test_identifiers_are_replaced_and_the_rest_kept(identifier, placeholder, frame):
    out = redact(frame.format(identifier))
    assert identifier not in out
    assert out == frame.format(placeholder)


@pytest.mark.parametrize(
    "text",
    [
        "I have had it for 3 years since 2019 and I'm 45",
        "call 999 or NHS 111, or Samaritans on 116 123",
        "text SHOUT to 85258",
        "it started 2 weeks ago, about 10 times a day",
        "my neck turns 90 degrees to the left",
        "I take 2 tablets 3 times a day",
    ],
)
def test_ordinary_messages_are_untouched(text):
    assert redact(text) == text


def test_a_ten_digit_number_that_fails_the_nhs_check_is_not_called_one():
    assert not is_nhs_number("9434765918")
    assert is_nhs_number("9434765919")
    assert "[nhs number]" not in redact("ref 943 476 5918")
