"""What every public channel does to a message before Rasa sees it.

- Control characters, zero-width characters and bidirectional overrides are
  removed (right-to-left text itself is kept), and whitespace is trimmed.
- Lone surrogates (which JSON can carry but UTF-8 cannot) become U+FFFD, so
  the message is answered like any other instead of failing where it is stored.
- Every leading run of slashes, spaces and invisible characters is dropped
  ("/ /intent", "\u200b/intent"...): Rasa reads "/intent{...}" as a ready-made
  intent with entities, which would let anyone skip NLU and the red-flag
  layer. "/restart" therefore reaches NLU as "restart" and starts again,
  as typing "restart" does.
- Messages longer than MAX_MESSAGE_CHARS are cut; signpost.rasa_plugins.channels.take_turn adds
  the `utter_message_cut` note to the reply. Request bodies over MAX_REQUEST_BYTES
  never get this far (signpost.rasa_plugins.serve sets Sanic's limit; the socket.io channel
  sets python-engineio's).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_MESSAGE_CHARS = 2000
MAX_REQUEST_BYTES = 64 * 1024  # larger request bodies get 413 (Sanic) or are refused (socket.io)
# Zero-width space/joiners, word joiner, BOM, soft hyphen; bidi marks, embeddings, overrides, isolates.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


@dataclass(frozen=True)
class Inbound:
    text: str
    cut: bool = False


_LEADING = frozenset(("Zs", "Zl", "Zp", "Cc", "Cf"))


def _visible(ch: str) -> str:
    if ch in "\n\t":
        return ch
    category = unicodedata.category(ch)
    if category == "Cs":  # a lone surrogate
        return "\ufffd"
    return " " if category == "Cc" else ch


def _without_leading(text: str) -> str:
    """`text` without its leading run of slashes, white space and invisible characters."""
    start = 0
    while start < len(text) and (text[start] == "/" or unicodedata.category(text[start]) in _LEADING):
        start += 1
    return text[start:]


def clean_message(raw: str, limit: int = MAX_MESSAGE_CHARS) -> Inbound:
    """The text to give Rasa ('' if nothing is left) and whether it was cut."""
    text = "".join(_visible(ch) for ch in _INVISIBLE.sub("", raw))
    text = _without_leading(text).strip()
    if len(text) > limit:
        return Inbound(text[:limit].rstrip(), cut=True)
    return Inbound(text)
