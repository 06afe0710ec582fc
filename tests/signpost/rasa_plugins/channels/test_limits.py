"""The channels' limits: per conversation, per address, per process; and client addresses."""

from __future__ import annotations

import pytest

from signpost.forwarding import client_address
from signpost.rasa_plugins.channels.limits import TurnLimiter, pseudonym


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_conversation_gets_a_few_turns_at_once_and_one_note_per_burst():
    limits = TurnLimiter(per_conversation=2, per_address_per_minute=100, in_flight_limit=100)
    assert limits.admit("a", None) is None and limits.admit("a", None) is None
    first, second = limits.admit("a", None), limits.admit("a", None)
    assert first and first.reason == "conversation" and first.notify and first.retry_after_s >= 1
    assert second and not second.notify
    assert limits.admit("b", None) is None  # another conversation is not affected
    limits.release("a")
    limits.release("a")
    assert limits.admit("a", None) is None  # drained: a new burst may notify again
    limits.admit("a", None)
    refused = limits.admit("a", None)
    assert refused and refused.notify


def test_an_address_is_limited_per_sliding_minute():
    clock = Clock()
    limits = TurnLimiter(per_conversation=100, per_address_per_minute=3, in_flight_limit=100, clock=clock)
    for i in range(3):
        assert limits.admit(f"c{i}", "198.51.100.7") is None
        limits.release(f"c{i}")
    refused = limits.admit("c9", "198.51.100.7")
    assert refused and refused.reason == "address" and 1 <= refused.retry_after_s <= 61
    assert limits.admit("c9", "198.51.100.8") is None  # another address
    limits.release("c9")
    clock.now += 61
    assert limits.admit("c9", "198.51.100.7") is None


def test_the_process_caps_turns_in_flight():
    limits = TurnLimiter(per_conversation=10, per_address_per_minute=100, in_flight_limit=2)
    assert limits.admit("a", None) is None and limits.admit("b", None) is None
    refused = limits.admit("c", None)
    assert refused and refused.reason == "busy" and refused.notify
    limits.release("a")
    assert limits.admit("c", None) is None
    assert limits.in_flight == 2


@pytest.mark.parametrize(
    "peer, forwarded, expected",
    [
        ("203.0.113.5", None, "203.0.113.5"),
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),  # not a trusted proxy: header ignored
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the nearest untrusted hop, not a forged first
        ("127.0.0.1", "198.51.100.1, 10.0.0.9", "198.51.100.1"),  # through two trusted proxies
        ("127.0.0.1", "not an address", "127.0.0.1"),
        ("::1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_believes_only_trusted_proxies(peer, forwarded, expected):
    assert client_address(peer, forwarded, ("127.0.0.1", "::1", "10.0.0.0/8")) == expected


def test_pseudonyms_are_keyed_and_stable():
    assert pseudonym("k", "198.51.100.1") == pseudonym("k", "198.51.100.1")
    assert pseudonym("k", "198.51.100.1") != pseudonym("other", "198.51.100.1")
    assert "198.51" not in (pseudonym("k", "198.51.100.1") or "-") and pseudonym("k", None) is None
