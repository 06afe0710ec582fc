"""The metrics each process exports: what updates them, and that labels stay in fixed sets."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import ActionExecuted, UserUttered
from sqlalchemy.orm import Session

from signpost import metrics
from signpost.config import get_settings
from signpost.conversations.repository import mark_handled, open_handoff, waiting_handoffs
from signpost.rasa_plugins.channels.take_turn import take_turn
from signpost.rasa_plugins.resilience import Breaker, guarded
from signpost.rasa_plugins.tracker_store import count_events
from signpost.web.app import handoffs_waiting


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("rest", "rest"), ("sms", "sms"), ("socketio", "socketio"), ("my neck twists", "other"), (None, "other"),
     ("", "other"), (42, "other")],
)  # fmt: skip
def test_labels_take_only_known_values(value, expected):
    assert metrics.one_of(value, metrics.CHANNELS) == expected


def message(channel: str = "rest") -> UserMessage:
    return UserMessage("my neck twists", CollectingOutputChannel(), "metrics-1", input_channel=channel)


async def test_each_turn_is_counted_by_channel_and_outcome_with_its_latency(engine, domain):
    responses, settings = domain["responses"], get_settings()

    async def answers(_: UserMessage) -> None:
        await asyncio.sleep(0.06)

    async def fails(_: UserMessage) -> None:
        raise ConnectionError("boom")

    def counts() -> tuple[float, float, float, float]:
        return (
            sample(metrics.RASA, "signpost_turns_total", channel="sms", outcome="answered"),
            sample(metrics.RASA, "signpost_turns_total", channel="sms", outcome="failed"),
            sample(metrics.RASA, "signpost_turn_seconds_count", channel="sms"),
            sample(metrics.RASA, "signpost_turn_seconds_bucket", channel="sms", le="0.05"),
        )

    answered, failed, timed, fast = counts()
    await take_turn(answers, message("sms"), False, engine, responses, settings)
    await take_turn(fails, message("sms"), False, engine, responses, settings)
    assert counts()[:3] == (answered + 1, failed + 1, timed + 2)
    assert counts()[3] <= fast + 1  # the 60 ms turn is not in the 50 ms bucket


def test_unknown_channels_and_outcomes_are_counted_as_other():
    before = sample(metrics.RASA, "signpost_turns_total", channel="other", outcome="other")
    metrics.count_turn("rest-someone@example.org", "something else")
    assert sample(metrics.RASA, "signpost_turns_total", channel="other", outcome="other") == before + 1
    assert b"someone@example.org" not in generate_latest(metrics.RASA)


def test_red_flags_and_fallbacks_are_counted_from_a_turns_events():
    def counts() -> tuple[float, ...]:
        return (
            sample(metrics.RASA, "signpost_red_flags_total", category="crisis"),
            sample(metrics.RASA, "signpost_red_flags_total", category="urgent"),
            sample(metrics.RASA, "signpost_fallbacks_total", kind="nlu"),
            sample(metrics.RASA, "signpost_fallbacks_total", kind="core"),
        )

    before = counts()
    count_events(
        [
            UserUttered("i want to end it", intent={"name": "red_flag_crisis"}),
            ActionExecuted("utter_red_flag_crisis"),
            ActionExecuted("action_handoff"),
            UserUttered("blah", intent={"name": "nlu_fallback"}),
            ActionExecuted("utter_default"),
            ActionExecuted("action_default_fallback"),
            ActionExecuted("utter_safety_hold_crisis"),  # a reminder, not a new red flag
        ]
    )
    assert counts() == (before[0] + 1, before[1], before[2] + 1, before[3] + 1)


async def test_action_server_failures_are_counted_by_reason_and_the_breaker_state_shown(monkeypatch):
    breaker = Breaker(timeout_s=0.05, open_for_s=60, failures_to_open=2)
    monkeypatch.setattr("signpost.rasa_plugins.resilience._breaker", breaker)

    async def slow(*_: object) -> list:
        await asyncio.sleep(1)
        return []

    async def broken(*_: object) -> list:
        raise ConnectionError("refused")

    async def apology(*_: object, **__: object) -> dict:
        return {"text": "sorry"}

    nlg, output = SimpleNamespace(generate=apology), SimpleNamespace(name=lambda: "rest")

    def tracker(sender: str) -> SimpleNamespace:
        return SimpleNamespace(sender_id=sender, latest_message=SimpleNamespace(message_id=sender, text=""))

    action = SimpleNamespace(name=lambda: "action_signpost", action_endpoint=None)

    def failures(reason: str) -> float:
        return sample(metrics.RASA, "signpost_action_server_failures_total", reason=reason)

    def state(name: str) -> float:
        return sample(metrics.RASA, "signpost_action_server_breaker", signpost_action_server_breaker=name)

    before = {reason: failures(reason) for reason in metrics.ACTION_FAILURE_REASONS}
    await guarded(slow)(action, output, nlg, tracker("a"), None)
    assert state("closed") == 1
    await guarded(broken)(action, output, nlg, tracker("b"), None)  # the second conversation: open
    assert state("open") == 1 and state("closed") == 0
    await guarded(broken)(action, output, nlg, tracker("c"), None)  # fails fast, never called
    assert {reason: failures(reason) - before[reason] for reason in before} == {
        "timeout": 1,
        "error": 1,
        "breaker_open": 1,
    }


def test_sms_segments_are_added_up():
    before = sample(metrics.RASA, "signpost_sms_segments_sent_total")
    metrics.count_sms_segments(3)
    assert sample(metrics.RASA, "signpost_sms_segments_sent_total") == before + 3


@pytest.mark.parametrize(
    ("action", "status", "label", "outcome"),
    [("action_signpost", 200, "action_signpost", "ok"), ("action_signpost", 500, "action_signpost", "error"),
     ("action_made_up", 404, "other", "not_found"), (None, 400, "other", "rejected")],
)  # fmt: skip
def test_action_calls_are_counted_by_known_action_and_outcome(action, status, label, outcome):
    before = sample(metrics.ACTIONS, "signpost_action_calls_total", action=label, outcome=outcome)
    metrics.count_action_call(action, frozenset({"action_signpost"}), status, 0.01)
    assert sample(metrics.ACTIONS, "signpost_action_calls_total", action=label, outcome=outcome) == before + 1


def test_handoffs_waiting_are_counted_in_the_database_at_each_scrape(engine):
    registry = CollectorRegistry()
    registry.register(handoffs_waiting(engine))
    assert sample(registry, "signpost_handoffs_waiting", reason="asked_for_person") == 0
    with Session(engine, future=True) as s, s.begin():
        first = open_handoff(s, "conversation-1", "rest", "asked_for_person").code
        open_handoff(s, "conversation-2", "sms", "red_flag", "emergency")
        open_handoff(s, "conversation-3", "socketio", "asked_for_person")
    assert sample(registry, "signpost_handoffs_waiting", reason="asked_for_person") == 2
    assert sample(registry, "signpost_handoffs_waiting", reason="red_flag") == 1
    with Session(engine, future=True) as s, s.begin():
        mark_handled(s, first, "alice")
        assert waiting_handoffs(s) == {"asked_for_person": 1, "red_flag": 1}
    assert sample(registry, "signpost_handoffs_waiting", reason="asked_for_person") == 1


def test_a_scrape_without_the_database_leaves_the_gauge_out_rather_than_failing():
    def unreachable() -> dict[str, int]:
        raise ConnectionError("database down")

    registry = CollectorRegistry()
    registry.register(metrics.HandoffsWaiting(unreachable))
    assert b"signpost_handoffs_waiting" not in generate_latest(registry)


def test_metrics_are_served_on_their_own_port_and_a_taken_port_is_only_logged(caplog):
    import socket
    import urllib.request

    registry = CollectorRegistry()
    metrics.Counter("signpost_test_served", "A counter for this test.", registry=registry).inc()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert metrics.serve(registry, "127.0.0.1", port)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        assert b"signpost_test_served_total 1.0" in response.read()
    assert not metrics.serve(registry, "127.0.0.1", port)  # taken (by the first)
    assert "metrics not served" in caplog.text
    assert not metrics.serve(registry, "127.0.0.1", 0)  # 0: off
