"""The action server's breaker: a run of failures from several conversations opens it, a probe closes it."""

from __future__ import annotations

from signpost.rasa_plugins.resilience import Breaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_one_failing_conversation_never_opens_the_breaker_for_the_others():
    breaker = Breaker(open_for_s=10, failures_to_open=3, clock=Clock())
    for _ in range(50):
        breaker.failed("slow-conversation")
    assert breaker.state == Breaker.CLOSED and breaker.allow()


def test_a_run_of_failures_opens_it_and_a_success_in_between_resets_the_run():
    breaker = Breaker(open_for_s=10, failures_to_open=3, clock=Clock())
    breaker.failed("a")
    breaker.failed("b")
    breaker.succeeded()
    breaker.failed("c")
    assert breaker.state == Breaker.CLOSED
    breaker.failed("d")
    breaker.failed("e")
    assert breaker.state == Breaker.OPEN and not breaker.allow()


def test_after_the_pause_one_probe_goes_through_and_decides():
    clock = Clock()
    breaker = Breaker(timeout_s=3, open_for_s=10, failures_to_open=2, clock=clock)
    breaker.failed("a")
    breaker.failed("b")
    clock.now += 10
    assert breaker.allow() and breaker.state == Breaker.HALF_OPEN
    assert not breaker.allow()  # only one probe at a time
    breaker.failed("c")  # the probe failed: open again
    assert breaker.state == Breaker.OPEN and not breaker.allow()
    clock.now += 10
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.state == Breaker.CLOSED and breaker.allow() and breaker.allow()


def test_a_probe_that_never_reports_back_does_not_keep_the_breaker_shut():
    clock = Clock()
    breaker = Breaker(timeout_s=3, open_for_s=10, failures_to_open=1, clock=clock)
    breaker.failed("a")
    clock.now += 10
    assert breaker.allow()
    clock.now += 5
    assert breaker.allow()


def test_action_replies_are_validated_as_rasa_does_with_the_schema_checked_once():
    import pytest
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    from signpost.rasa_plugins.resilience import validate_with_schema_checked_once

    validate = validate_with_schema_checked_once()
    action = RemoteAction("action_signpost", None)
    good = {"events": [{"event": "slot", "name": "shown", "value": ["x"]}], "responses": [{"response": "utter_x"}]}
    assert validate(action, good) is RemoteAction._validate_action_result(action, good) is True
    for bad in ({"events": "not a list"}, {"events": [{"event": "no_such_event"}]}, {"responses": [1]}):
        with pytest.raises(ValidationError) as ours:
            validate(action, bad)
        with pytest.raises(ValidationError) as rasas:
            getattr(RemoteAction._validate_action_result, "__wrapped__", RemoteAction._validate_action_result)(
                action, bad
            )
        assert ours.value.message == rasas.value.message
