"""Pure helpers for the SMS channel: ids and digests, GSM-safe text, numbered options, TwiML."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any, Iterable
from xml.sax.saxutils import escape

import phonenumbers

MAX_REPLY_CHARS = 1600
SEGMENT_CHARS = 153  # a GSM-7 segment in a multi-part message
# Characters outside the GSM-7 alphabet turn a message into UCS-2 (70 per segment).
_GSM_SAFE = str.maketrans(
    {
        "\u2022": "-", "\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"',
        "\u201d": '"', "\u2026": "...", "\u00a0": " ", "\u200b": "", "\u2060": "", "\ufeff": "",
    }
)  # fmt: skip
_GSM_CHARS = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


def conversation_id(secret: bytes, phone: str) -> str:
    """A keyed hash of the phone number: stable per number, useless without the secret."""
    digest = hmac.new(secret, normalise_phone(phone).encode(), hashlib.sha256).hexdigest()
    return f"sms-{digest[:40]}"


def message_key(secret: bytes, message_sid: str, conversation: str, body: str) -> str:
    """The replay cache's key: a keyed hash of the provider's message id with the sender and
    the text, so only a copy of the same message (a retry) matches."""
    plain = "\n".join(("sid", message_sid, conversation, body)).encode("utf-8", "replace")
    return hmac.new(secret, plain, hashlib.sha256).hexdigest()


def text_digest(secret: bytes, text: str) -> str:
    """A keyed digest of a text, ignoring case and spacing: tells a repeat without keeping the text."""
    plain = " ".join(text.casefold().split())
    return hmac.new(secret, b"text:" + plain.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]


def normalise_phone(phone: str) -> str:
    """E.164 where the number parses (UK default), else its digits."""
    try:
        parsed = phonenumbers.parse(phone, "GB")
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", phone)


def to_gsm(text: str) -> str:
    """Plain text in the GSM-7 alphabet, so a message is not split into 70-character parts."""
    swapped = text.translate(_GSM_SAFE)
    return "".join(ch if ch in _GSM_CHARS else "?" for ch in swapped)


def segments(text: str) -> int:
    return max(1, -(-len(text) // SEGMENT_CHARS))


@dataclass(frozen=True)
class Reply:
    body: str
    options: dict[str, str]  # "1" -> payload


@dataclass(frozen=True)
class OptionWords:
    """The domain's wording for numbered options: 'Reply {choices}.' and '{number} for {title}'."""

    line: str
    choice: str


def options_line(words: OptionWords, buttons: list[dict[str, Any]]) -> tuple[str, dict[str, str]]:
    """'Reply 1 for Neck, 2 for Eyes.' and the number -> payload map."""
    choices = ", ".join(words.choice.format(number=i, title=b["title"]) for i, b in enumerate(buttons, start=1))
    return words.line.format(choices=choices), {str(i): str(b["payload"]) for i, b in enumerate(buttons, start=1)}


def _shorten(text: str, by: int) -> str:
    keep = max(0, len(text) - by - 3)
    cut = text[:keep]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "..."


def render(messages: Iterable[dict[str, Any]], options: OptionWords, limit: int = MAX_REPLY_CHARS) -> Reply:
    """One SMS body from the bot's messages, at most `limit` characters.

    The last message's buttons become numbered options. Over the limit, the
    longest message other than the first and the last is shortened, so a
    safety answer and the closing disclaimer are always whole.
    """
    messages = list(messages)
    texts = [to_gsm((m.get("text") or "").strip()) for m in messages if (m.get("text") or "").strip()]
    buttons = next((m.get("buttons") for m in reversed(messages) if m.get("buttons")), None) or []
    numbered: dict[str, str] = {}
    if buttons:
        line, numbered = options_line(options, buttons)
        texts.append(to_gsm(line))
    joined = "\n\n".join(texts)
    while len(joined) > limit:
        over = len(joined) - limit
        middle = range(1, len(texts) - 1) if len(texts) > 2 else range(len(texts))
        longest = max(middle, key=lambda i: len(texts[i]), default=None)
        if longest is None or len(texts[longest]) <= over + 3:
            joined = joined[: limit - 3] + "..."
            break
        texts[longest] = _shorten(texts[longest], over)
        joined = "\n\n".join(texts)
    return Reply(joined, numbered)


def twiml(body: str | None) -> str:
    """TwiML that answers with one message, or with nothing."""
    if not body:
        return '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    return f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{escape(body)}</Message></Response>'
