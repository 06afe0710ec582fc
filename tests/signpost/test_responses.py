"""Choosing a response's text for a channel, and joining lists with the domain's words."""

from __future__ import annotations

import pytest

from signpost.responses import join_items, variant_text

RESPONSES = {"utter_x": [{"text": "long"}, {"channel": "sms", "text": "short"}]}


@pytest.mark.parametrize("channel,expected", [("sms", "short"), ("rest", "long"), (None, "long")])
def test_variant_for_channel(channel, expected):
    assert variant_text(RESPONSES, "utter_x", channel) == expected


def test_missing_response_is_an_error():
    with pytest.raises(KeyError):
        variant_text(RESPONSES, "utter_missing")


@pytest.mark.parametrize(
    "items,expected", [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")]
)
def test_join_items(items, expected):
    assert join_items(items, "{items} and {last}") == expected
