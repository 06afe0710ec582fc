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
SINGLE_CHARS = 160  # a GSM-7 message on its own
SEGMENT_CHARS = 153  # a GSM-7 segment in a multi-part message
MAX_SEGMENTS = 3  # a reply longer than this sends its first part and keeps the rest for MORE
# A message naming an emergency or crisis number is never held back for MORE.
_URGENT = re.compile(r"\b(?:999|111|116 123|85258)\b")
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
    """GSM-7 segments of one message body: 160 characters alone, 153 a part when split."""
    return 1 if len(text) <= SINGLE_CHARS else -(-len(text) // SEGMENT_CHARS)


@dataclass(frozen=True)
class Reply:
    body: str
    options: dict[str, str]  # "1" -> payload
    rest: str | None = None  # held back for MORE


def within_segments(
    texts: list[str], more_line: str, max_segments: int = MAX_SEGMENTS, tail: int = 1
) -> tuple[list[str], list[str]]:
    """The texts to send now and the ones to hold back for MORE, so that the texts sent
    now, with `more_line` when something is held back, fit in `max_segments` segments.

    The first text (the answer), the last `tail` texts (from the disclaimer on: the
    notes after it and the options line) and any that names an emergency or crisis
    number are always sent; the others go in order while
    they fit, and once one does not fit, it and those after it wait, so MORE reads on.
    """
    if segments("\n\n".join(texts)) <= max_segments or len(texts) < 1 + tail:
        return texts, []
    budget = max_segments * SEGMENT_CHARS
    must = {0, *range(len(texts) - tail, len(texts))} | {i for i, t in enumerate(texts) if _URGENT.search(t)}
    used = sum(len(texts[i]) + 2 for i in must) + len(more_line)
    sent: list[str] = []
    held: list[str] = []
    for i, text in enumerate(texts):
        if i in must:
            sent.append(text)
        elif not held and used + len(text) + 2 <= budget:
            sent.append(text)
            used += len(text) + 2
        else:
            held.append(text)
    if segments("\n\n".join(sent)) > max_segments and not _URGENT.search(sent[0]) and "\n" not in sent[0]:
        # Still too long: a prose answer (not a list) goes sentence by sentence, its rest first in MORE.
        room = budget - (sum(len(t) + 2 for t in sent[1:]) + len(more_line) + 2)
        sentences = re.split(r"(?<=[.!?])\s+", sent[0])
        kept: list[str] = []
        for sentence in sentences:
            if kept and len(" ".join([*kept, sentence])) > room:
                break
            kept.append(sentence)
        if len(kept) < len(sentences):
            sent[0] = " ".join(kept)
            held.insert(0, " ".join(sentences[len(kept) :]))
    if not held:
        return sent, []
    return [*sent[:-tail], more_line, *sent[-tail:]], held


def more_part(rest: str, more_line: str, max_segments: int = MAX_SEGMENTS) -> tuple[str, str | None]:
    """The next part of a held-back reply for MORE, and what is still left after it."""
    budget = max_segments * SEGMENT_CHARS - len(more_line) - 2
    paragraphs: list[str] = []
    for paragraph in (p for p in rest.split("\n\n") if p.strip()):
        # a paragraph too long for one part goes sentence by sentence
        paragraphs.extend(re.split(r"(?<=[.!?])\s+", paragraph) if len(paragraph) > budget else [paragraph])
    taken: list[str] = []
    for paragraph in paragraphs:
        if taken and len("\n\n".join([*taken, paragraph])) > budget:
            break
        taken.append(paragraph)
    left = paragraphs[len(taken) :]
    body = "\n\n".join(taken)
    return (body + "\n\n" + more_line, "\n\n".join(left)) if left else (body, None)


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


def render(
    messages: Iterable[dict[str, Any]],
    options: OptionWords,
    limit: int = MAX_REPLY_CHARS,
    more_line: str | None = None,
) -> Reply:
    """One SMS body from the bot's messages, at most `limit` characters.

    The last message's buttons become numbered options. With `more_line`, a reply
    longer than MAX_SEGMENTS segments sends its first part and holds the rest for
    MORE (`within_segments`). Over the limit, the longest message other than the
    first and the last is shortened, so a safety answer and the closing disclaimer
    are always whole.
    """
    messages = list(messages)
    buttons = next((m.get("buttons") for m in reversed(messages) if m.get("buttons")), None) or []
    shown = [m for m in messages if (m.get("text") or "").strip()]
    texts = [to_gsm(m["text"].strip()) for m in shown]
    # Always sent: from the last message with buttons (the disclaimer) to the end.
    with_buttons = [i for i, m in enumerate(shown) if m.get("buttons")]
    tail = len(texts) - with_buttons[-1] if with_buttons else 1
    numbered: dict[str, str] = {}
    if buttons:
        line, numbered = options_line(options, buttons)
        texts.append(to_gsm(line))
    held: list[str] = []
    if more_line:
        texts, held = within_segments(texts, to_gsm(more_line), tail=tail + (1 if buttons else 0))
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
    return Reply(joined, numbered, "\n\n".join(held) or None)


def twiml(body: str | None) -> str:
    """TwiML that answers with one message, or with nothing."""
    if not body:
        return '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    return f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{escape(body)}</Message></Response>'
