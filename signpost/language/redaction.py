"""Take identifiers out of what people type, before it is stored or shown to staff.

Replaced by placeholders: NHS numbers (ten digits that pass the modulus 11
check), phone numbers (UK and international, found by `phonenumbers`),
email addresses, UK postcodes, and dates that include a year (dates of birth
look like any other date, so every full date goes). NLU has already run on the
original text; only the stored copy is redacted.
"""

from __future__ import annotations

import re

import phonenumbers

PHONE, EMAIL, NHS, POSTCODE, DATE = "[phone]", "[email]", "[nhs number]", "[postcode]", "[date]"

_NHS = re.compile(r"(?<![\d+])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)
_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})"
    rf"|\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?: of)? (?:{_MONTHS}),? \d{{2,4}}"
    rf"|(?:{_MONTHS}) \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}})\b",
    re.IGNORECASE,
)
_MIN_DIGITS_NATIONAL, _MIN_DIGITS_INTERNATIONAL = 10, 8


def is_nhs_number(digits: str) -> bool:
    """Ten digits whose check digit is right (modulus 11, weights 10 to 2)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    remainder = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 11 - remainder
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _nhs(match: re.Match[str]) -> str:
    return NHS if is_nhs_number("".join(match.groups())) else match.group(0)


def _phones(text: str, international: bool) -> str:
    """Replace international numbers (+44..., 0044...) or national ones (07700...)."""
    out, last = [], 0
    for found in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        raw, start = found.raw_string, found.start
        if raw.startswith("(") and ")" not in raw:  # "(07700 900123" inside brackets
            raw, start = raw[1:], start + 1
        if raw.lstrip("(").startswith(("+", "00")) != international:
            continue
        if sum(ch.isdigit() for ch in raw) >= (_MIN_DIGITS_INTERNATIONAL if international else _MIN_DIGITS_NATIONAL):
            out += [text[last:start], PHONE]
            last = found.end
    return "".join(out) + text[last:]


def redact(text: str) -> str:
    """`text` with identifiers replaced by placeholders such as [phone]."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL, text)
    text = _DATE.sub(DATE, text)
    text = _phones(text, international=True)  # first, so "+1 415 555 2671" is not taken for an NHS number
    text = _NHS.sub(_nhs, text)
    text = _phones(text, international=False)
    return _POSTCODE.sub(POSTCODE, text)
