"""The signposting answer run in the Rasa server: the events the action server gives for the
same tracker (on generated conversations, against the running action server), on its own
thread, and the action server's whenever it cannot run here."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core import events as ev
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from signpost import metrics
from signpost.config import get_settings
from signpost.dialogue import SIGNPOST_ACTION
from signpost.rasa_plugins import local_actions, patches, resilience
from signpost.rasa_plugins.local_actions import here_or_remote
from signpost.rasa_plugins.resilience import guarded
from signpost.storage.engine import engine_for
from tests.conftest import ACTION_PORT
from tests.signpost.rasa_plugins.test_prior_states import PROJECT

RASAS_RUN = patches.original(RemoteAction.run)
REGIONS = ["neck", "eyes", "face_jaw", "hand_arm", "voice", "foot_leg", "trunk"]
SYMPTOMS = ["blinking", "twisting", "tremor", "pulling", "spasm"]


@pytest.fixture(autouse=True)
def payload_patch(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The request and reply checks the Rasa server has, undone after each test."""
    for name in ("_action_call_format", "_validate_action_result"):
        monkeypatch.setattr(RemoteAction, name, patches.original(getattr(RemoteAction, name)))
    patches.send_actions_what_they_read()
    patches.validate_action_replies_faster()
    yield
    local_actions.reset()


class Remote:
    """An action endpoint that records what reaches it and answers with nothing."""

    def __init__(self) -> None:
        self.url = "http://localhost:9/webhook"
        self.kwargs: dict[str, Any] = {}
        self.calls: list[str] = []

    async def request(self, json: Any = None, **_: Any) -> Any:
        self.calls.append(json["next_action"])
        return {"events": [], "responses": []}


def tracker_for(regions: list[str], symptoms: list[str], channel: str = "rest") -> DialogueStateTracker:
    text = "my " + " and ".join(regions) + " " + " ".join(symptoms)
    return DialogueStateTracker.from_events(
        "someone",
        [
            ev.ActionExecuted("action_listen"),
            ev.UserUttered(text, {"name": "describe_symptoms", "confidence": 1.0}, input_channel=channel),
            ev.SlotSet("body_region", regions),
            ev.SlotSet("symptom", symptoms),
        ],
        slots=PROJECT.slots,
    )


def run(action: RemoteAction, tracker: DialogueStateTracker, run: Any = None) -> list[Any]:
    nlg = TemplatedNaturalLanguageGenerator(PROJECT.responses)
    return asyncio.run((run or here_or_remote(RASAS_RUN))(action, CollectingOutputChannel(), nlg, tracker, PROJECT))


def comparable(events: list[Any]) -> list[dict[str, Any]]:
    found = []
    for event in events:
        data = event.as_dict()
        data.pop("timestamp", None)
        found.append(data)
    return found


def test_the_answer_is_made_here_and_the_action_server_is_not_called(knowledge_db):
    remote = Remote()
    events = run(RemoteAction(SIGNPOST_ACTION, remote), tracker_for(["neck"], ["twisting"]))
    assert remote.calls == []
    texts = " ".join(e.text or "" for e in events if isinstance(e, ev.BotUttered))
    assert "Cervical dystonia" in texts and "not a diagnosis" in texts
    assert any(isinstance(e, ev.SlotSet) and e.key == "suggested_types" for e in events)


def test_other_actions_go_to_the_action_server(knowledge_db):
    remote = Remote()
    action = RemoteAction("action_answer_topic", remote)
    run(action, tracker_for(["neck"], ["twisting"]))
    assert remote.calls == ["action_answer_topic"]
    assert action.action_endpoint is remote


def test_a_failure_here_goes_to_the_action_server(knowledge_db, monkeypatch):
    async def broken(self: Any, body: Any) -> Any:
        raise RuntimeError("broken here")

    monkeypatch.setattr(local_actions.LocalActions, "run", broken)
    before = metrics.RASA.get_sample_value(
        "signpost_local_action_calls_total", {"action": SIGNPOST_ACTION, "outcome": "error"}
    )
    remote = Remote()
    action = RemoteAction(SIGNPOST_ACTION, remote)
    run(action, tracker_for(["neck"], ["twisting"]))
    assert remote.calls == [SIGNPOST_ACTION]
    assert action.action_endpoint is remote
    after = metrics.RASA.get_sample_value(
        "signpost_local_action_calls_total", {"action": SIGNPOST_ACTION, "outcome": "error"}
    )
    assert after == (before or 0) + 1


def test_actions_that_cannot_be_loaded_here_go_to_the_action_server(knowledge_db, monkeypatch):
    monkeypatch.setattr(local_actions, "ACTIONS_PACKAGE", "no_such_actions_package")
    remote = Remote()
    run(RemoteAction(SIGNPOST_ACTION, remote), tracker_for(["neck"], ["twisting"]))
    run(RemoteAction(SIGNPOST_ACTION, remote), tracker_for(["eyes"], ["blinking"]))
    assert remote.calls == [SIGNPOST_ACTION, SIGNPOST_ACTION]
    assert local_actions.local_actions() is None


def test_the_answer_runs_on_its_own_thread_not_the_servers_loop(knowledge_db, monkeypatch):
    seen: list[str] = []
    from actions.signposting import ActionSignpost

    respond = ActionSignpost.respond

    def noting(self: Any, *args: Any) -> Any:
        seen.append(threading.current_thread().name)
        return respond(self, *args)

    monkeypatch.setattr(ActionSignpost, "respond", noting)
    run(RemoteAction(SIGNPOST_ACTION, Remote()), tracker_for(["neck"], ["twisting"]))
    assert seen == ["signpost-local-actions"]


def test_an_answer_slower_here_than_the_timeout_gets_the_apology(knowledge_db, monkeypatch):
    async def slow(self: Any, body: Any) -> Any:
        await asyncio.sleep(5)

    monkeypatch.setattr(local_actions.LocalActions, "run", slow)
    breaker = resilience._breaker
    monkeypatch.setattr(breaker, "timeout_s", 0.2)
    monkeypatch.setattr(breaker, "state", breaker.CLOSED)
    remote = Remote()
    events = run(
        RemoteAction(SIGNPOST_ACTION, remote),
        tracker_for(["neck"], ["twisting"]),
        run=guarded(here_or_remote(RASAS_RUN)),
    )
    assert [e.metadata.get("utter_action") for e in events if isinstance(e, ev.BotUttered)] == [resilience.APOLOGY]
    assert remote.calls == []  # a timeout is not a failure to hand on: the turn is over


@pytest.fixture(scope="module")
def action_server(servers) -> Iterator[EndpointConfig]:
    """The running action server, and this process reading the servers' database."""
    import os

    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = servers.database_url
    get_settings.cache_clear()
    engine_for.cache_clear()
    token = get_settings().action_server_token
    yield EndpointConfig(f"http://localhost:{ACTION_PORT}/webhook", headers={"Authorization": f"Bearer {token}"})
    if saved is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = saved
    get_settings.cache_clear()
    engine_for.cache_clear()


@pytest.mark.servers
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    regions=st.lists(st.sampled_from(REGIONS), min_size=1, max_size=3, unique=True),
    symptoms=st.lists(st.sampled_from(SYMPTOMS), min_size=1, max_size=2, unique=True),
    channel=st.sampled_from(["rest", "widget", "sms"]),
)
def test_the_same_events_as_the_action_server(action_server, regions, symptoms, channel):
    tracker = tracker_for(regions, symptoms, channel)
    remote = comparable(run(RemoteAction(SIGNPOST_ACTION, action_server), tracker, run=RASAS_RUN))
    here = comparable(run(RemoteAction(SIGNPOST_ACTION, action_server), tracker))
    assert here == remote
    assert any(e.get("event") == "bot" for e in here)
