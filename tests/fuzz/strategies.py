"""What the fuzz tests throw: arbitrary Unicode, hostile characters, huge and nested values.

Lone surrogates cannot be UTF-8 encoded, so JSON bodies are written with
`ensure_ascii=True` (surrogates travel as `\\udXXX` escapes) and forms and URLs
carry them as the bytes a careless encoder would produce (`surrogatepass`),
which are invalid UTF-8.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

# Characters that broke or could break something on the way in: NUL and other controls,
# lone surrogates, zero-width and bidi controls, line and paragraph separators,
# noncharacters, the last code point, emoji, and characters with meaning to parsers.
HOSTILE = [
    "\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f", "\x85", "\r", "\n", "\t", "\x0b", "\x0c",
    "\ud800", "\udbff", "\udc00", "\udfff",
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",
    "\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f",
    "\u2028", "\u2029", "\ufffe", "\uffff", "\ufffd", "\U0010ffff", "\U0001f600", "\U0001f469\u200d\U0001f467",
    "/", "\\", "{", "}", "[", "]", '"', "'", "%", "&", "=", "+", "#", "?", "<", ">", "$", ";", "\u0301", "\u0130",
]  # fmt: skip

# Every code point, lone surrogates included.
ANY_CHAR = st.characters(exclude_categories=())
HOSTILE_CHAR = st.sampled_from(HOSTILE)
PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
# Header values as a client can send them: Latin-1, no line breaks, no leading whitespace.
HEADER_VALUES = st.text(
    st.characters(min_codepoint=0, max_codepoint=0xFF, exclude_characters="\r\n"), max_size=200
).map(str.lstrip)
WORDS = st.sampled_from(["hello", "my neck twists", "help", "/restart", "/greet", "forget me", "STOP", "1"])


def texts(max_size: int = 60, huge: int = 70_000) -> st.SearchStrategy[str]:
    """Short arbitrary text, hostile characters around ordinary words, or a huge repeat."""
    mixed = st.lists(st.one_of(HOSTILE_CHAR, ANY_CHAR, WORDS), max_size=max_size).map("".join)
    repeated = st.builds(
        lambda unit, n: (unit * n)[:huge],
        st.one_of(HOSTILE_CHAR, WORDS),
        st.one_of(st.integers(1, 2500), st.integers(1, huge)),
    )
    return st.one_of(st.text(ANY_CHAR, max_size=max_size), mixed, repeated)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),  # json.dumps writes NaN and Infinity
    texts(),
)


def json_values(scalars: st.SearchStrategy[Any] = SCALARS) -> st.SearchStrategy[Any]:
    """Any JSON value: scalars, lists and objects with arbitrary keys, nested."""
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts(max_size=12), inner, max_size=4)),
        max_leaves=12,
    )


def field_values() -> st.SearchStrategy[Any]:
    """What a client may put in a field that should hold a string: mostly strings, any JSON value."""
    return st.one_of(texts(), texts(), json_values())


def dumps(value: Any) -> str:
    """JSON with lone surrogates as escapes (ensure_ascii) and NaN/Infinity as Python writes them."""
    return json.dumps(value, ensure_ascii=True)


def deep(depth: int, opener: str = "[", closer: str = "]", inner: str = "") -> bytes:
    return (opener * depth + inner + closer * depth).encode()


def nested_bodies(key: str) -> st.SearchStrategy[bytes]:
    """JSON nested far deeper than any parser's recursion limit, as a whole body or in `key`."""
    depth = st.integers(min_value=500, max_value=20_000)
    return st.one_of(
        st.builds(deep, depth),
        st.builds(lambda n: deep(n, '{"a":', "}", "1"), depth),
        st.builds(lambda n: b'{"%s": ' % key.encode() + deep(n) + b"}", depth),
    )


CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "application/json; charset=latin-1",
            "application/json; charset=nonsense",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "application/octet-stream",
            "",
        ]
    ),
    st.text(PRINTABLE, max_size=40).map(str.lstrip),
)


def garbage_bodies(key: str) -> st.SearchStrategy[bytes]:
    """Whole-body garbage: random bytes, invalid UTF-8, deep nesting, JSON of any shape."""
    return st.one_of(
        st.binary(max_size=2000),
        st.builds(lambda v: dumps(v).encode(), json_values()),
        st.builds(lambda v: dumps(v).encode("utf-8", "surrogatepass"), json_values()),  # raw surrogate bytes
        st.builds(lambda v: dumps(v).encode()[:-1], json_values()),  # cut short
        nested_bodies(key),
        st.sampled_from([b"", b"{", b"}", b"\xff\xfe", b'{"a":1}' * 3, b"\xef\xbb\xbf{}", b"[" * 3, b"0" * 5000]),
    )


def form_encode(fields: list[tuple[str, str]]) -> bytes:
    """application/x-www-form-urlencoded, with lone surrogates sent as (invalid) UTF-8 bytes."""
    return "&".join(
        f"{quote(k, safe='', errors='surrogatepass')}={quote(v, safe='', errors='surrogatepass')}" for k, v in fields
    ).encode("ascii")


def url_texts(max_size: int = 30) -> st.SearchStrategy[str]:
    """Text for a URL path or query, percent-encoded from arbitrary bytes (invalid UTF-8 too)."""
    raw = st.one_of(
        st.binary(max_size=max_size),
        texts(max_size=max_size, huge=4000).map(lambda s: s.encode("utf-8", "surrogatepass")),
    )
    return raw.map(lambda b: quote(b, safe="/=&"))
