"""Reading response text from the domain: one rule for choosing a channel's variant.

Used by the custom actions (line templates they fill themselves) and by the SMS
channel (keyword replies sent without a dialogue turn).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

#: The domain's responses: name -> variants, each a mapping with "text" (and maybe "channel").
Responses = Mapping[str, Sequence[Mapping[str, Any]]]


def variant_text(responses: Responses, name: str, channel: str | None = None) -> str:
    """The text of response `name`: the variant for `channel` if there is one, else the plain one."""
    variants = responses.get(name) or []
    plain = [v for v in variants if not v.get("channel")]
    chosen = [v for v in variants if channel and v.get("channel") == channel] or plain
    if not chosen:
        raise KeyError(f"domain has no response {name!r}")
    return str(chosen[0]["text"])


def join_items(items: Sequence[str], last_pair: str) -> str:
    """'a', or 'a, b' + the last pair template ('{items} and {last}') for more."""
    if len(items) <= 1:
        return "".join(items)
    return last_pair.format(items=", ".join(items[:-1]), last=items[-1])
