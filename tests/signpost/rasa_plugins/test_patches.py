"""The Rasa patches: each refuses another Rasa, each is in Rasa's place after `apply_all`, and
Rasa behaves under each as the patch expects (so a changed Rasa fails here, not in use)."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any, Iterator

import aiohttp
import pytest
import rasa
import rasa.__main__
import rasa.core.agent
import rasa.core.run
import rasa.utils.common
import rasa.utils.io
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import create_engine

from signpost import logs
from signpost.config import get_settings
from signpost.rasa_plugins import patches, resilience, serve
from signpost.rasa_plugins.resilience import APOLOGY, Breaker, NoFallbackTrackerStore

# Where each process-wide patch puts its replacement.
TARGETS = {
    "guard_remote_actions": (RemoteAction, "run"),
    "validate_action_replies_faster": (RemoteAction, "_validate_action_result"),
    "drop_tracker_store_fallback": (rasa.core.agent, "FailSafeTrackerStore"),
    "extend_server_app": (rasa.core.run, "configure_app"),
    "use_our_logging": (rasa.utils.io, "configure_colored_logging"),
    "fold_sanic_loggers": (rasa.utils.common, "update_sanic_log_level"),
    "extend_applied_events": (DialogueStateTracker, "applied_events"),
    "extend_prior_states": (Domain, "states_for_tracker_history"),
    "send_actions_what_they_read": (RemoteAction, "_action_call_format"),
}
LOGGERS = ("", "rasa", "rasa_sdk", "signpost", "actions", *logs.LIBRARY_LOGGERS)


@pytest.fixture(autouse=True)
def rasa_restored() -> Iterator[dict[str, Any]]:
    """Rasa's own objects (and the loggers the logging patches touch) as they were, after each test."""
    saved = {name: getattr(owner, attribute) for name, (owner, attribute) in TARGETS.items()}
    assert not any(getattr(value, patches.MARK, None) for value in saved.values()), "a patch leaked from elsewhere"
    assert saved["drop_tracker_store_fallback"] is FailSafeTrackerStore
    loggers = {name: logging.getLogger(name) for name in LOGGERS}
    state = {name: (list(lg.handlers), lg.level, lg.propagate) for name, lg in loggers.items()}
    hook = sys.excepthook
    yield saved
    for name, (owner, attribute) in TARGETS.items():
        setattr(owner, attribute, saved[name])
    for name, (handlers, level, propagate) in state.items():
        loggers[name].handlers[:] = handlers
        loggers[name].setLevel(level)
        loggers[name].propagate = propagate
    sys.excepthook = hook
    logging.captureWarnings(False)


PATCHES = [*TARGETS, "use_engine"]


def apply(name: str) -> None:
    """Apply one patch (the per-store one to a store its checks stop before touching)."""
    if name == "extend_server_app":
        patches.extend_server_app(lambda app: serve.extend_rasa_app(app, get_settings()))
    elif name == "use_our_logging":
        patches.use_our_logging(lambda level=None: None)
    elif name == "use_engine":
        patches.use_engine(rasa_sql_store_stub(), None)
    else:
        getattr(patches, name)()


def rasa_sql_store_stub() -> SQLTrackerStore:
    """A SQLTrackerStore object without Rasa's constructor (for checks that never reach it)."""
    return SQLTrackerStore.__new__(SQLTrackerStore)


def test_the_installed_rasa_is_the_one_the_patches_were_written_for():
    assert rasa.__version__ == patches.RASA_VERSION, (
        "Rasa changed: check every patch in signpost/rasa_plugins/patches.py against it, then change RASA_VERSION"
    )


@pytest.mark.parametrize("name", PATCHES)
def test_every_patch_refuses_another_rasa_and_changes_nothing(monkeypatch, rasa_restored, name):
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(
        patches.RasaChanged, match=rf"'{name}' was written for Rasa {patches.RASA_VERSION}, not Rasa 3\.7\.0"
    ):
        apply(name)
    for target, (owner, attribute) in TARGETS.items():
        assert getattr(owner, attribute) is rasa_restored[target]


def test_apply_all_stops_at_the_first_patch_on_another_rasa(monkeypatch, rasa_restored):
    monkeypatch.setattr(rasa, "__version__", "3.6.22")
    with pytest.raises(patches.RasaChanged, match="guard_remote_actions"):
        serve.apply_patches(get_settings())
    assert RemoteAction.run is rasa_restored["guard_remote_actions"]


def test_apply_all_puts_each_replacement_in_rasas_place(rasa_restored):
    serve.apply_patches(get_settings())
    for name, (owner, attribute) in TARGETS.items():
        if name == "drop_tracker_store_fallback":
            assert rasa.core.agent.FailSafeTrackerStore is NoFallbackTrackerStore
            continue
        replacement = getattr(owner, attribute)
        assert getattr(replacement, patches.MARK) == name
        assert replacement.__wrapped__ is rasa_restored[name]


def test_applying_twice_wraps_rasas_own_functions_only(rasa_restored):
    serve.apply_patches(get_settings())
    first = {name: getattr(owner, attribute) for name, (owner, attribute) in TARGETS.items()}
    serve.apply_patches(get_settings())
    for name, (owner, attribute) in TARGETS.items():
        now = getattr(owner, attribute)
        if name == "drop_tracker_store_fallback":
            assert now is NoFallbackTrackerStore
            continue
        # a replacement made for the call is made again; a module's own function is the same one
        assert (now is first[name]) == (now.__closure__ is None)
        assert now.__wrapped__ is rasa_restored[name] and patches.original(now) is rasa_restored[name]


def test_a_changed_signature_or_lookup_is_refused(monkeypatch, rasa_restored):
    async def run(self, output_channel, nlg, tracker, domain, extra=None):  # noqa: ARG001
        return []

    run.__module__, run.__qualname__ = "rasa.core.actions.action", "RemoteAction.run"
    monkeypatch.setattr(RemoteAction, "run", run)
    with pytest.raises(patches.RasaChanged, match="takes .*extra.* written for"):
        patches.guard_remote_actions()

    def serve_application(*args: Any, **kwargs: Any) -> None:
        """A Rasa that builds its app some other way."""

    monkeypatch.setattr(rasa.core.run, "serve_application", serve_application)
    with pytest.raises(patches.RasaChanged, match="no longer looks up 'configure_app'"):
        patches.extend_server_app(lambda app: serve.extend_rasa_app(app, get_settings()))
    assert rasa.core.run.configure_app is rasa_restored["extend_server_app"]


class ActionServer(EndpointConfig):
    """An action endpoint that answers from `reply` (a dict, an exception, or a delay) without a server."""

    def __init__(self, reply: Any) -> None:
        super().__init__(url="http://action-server.invalid/webhook")
        self.reply = reply
        self.sent_headers: list[dict[str, Any]] = []

    async def request(self, method: str = "post", subpath: Any = None, content_type: Any = None, **kwargs: Any) -> Any:
        self.sent_headers.append(dict(self.headers or {}))
        if isinstance(self.reply, float):
            await asyncio.sleep(self.reply)
            return {}
        if isinstance(self.reply, BaseException):
            raise self.reply
        return self.reply


async def run_action(endpoint: ActionServer) -> list[Any]:
    domain = Domain.from_dict(
        {"responses": {APOLOGY: [{"text": "Sorry, call the helpline"}], "utter_x": [{"text": "x"}]}, "slots": {}}
    )
    tracker = DialogueStateTracker.from_events("someone", [UserUttered("hello", message_id="m1")])
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    return await RemoteAction("action_x", endpoint).run(CollectingOutputChannel(), nlg, tracker, domain)


@pytest.fixture
def breaker(monkeypatch) -> Breaker:
    fresh = Breaker(timeout_s=0.1, open_for_s=10, failures_to_open=5)
    monkeypatch.setattr(resilience, "_breaker", fresh)
    monkeypatch.setattr(resilience, "_token", "the-token")
    return fresh


@pytest.mark.parametrize(
    "reply",
    [aiohttp.ClientConnectionError("refused"), {"events": "not a list"}, 0.5],
    ids=["unreachable", "invalid reply", "slow"],
)
async def test_under_the_guard_a_failed_action_call_gets_the_apology(breaker, reply):
    """Rasa's RemoteAction.run raises when the action server fails or its reply is invalid
    (and waits five minutes for a slow one); the guard answers instead, with the token on
    the call."""
    if not isinstance(reply, float):
        with pytest.raises(Exception):  # noqa: B017 - Rasa's own run, unpatched, fails the turn
            await run_action(ActionServer(reply))
    serve.apply_patches(get_settings())
    endpoint = ActionServer(reply)
    events = await run_action(endpoint)
    assert [type(e) for e in events] == [BotUttered] and events[0].metadata["utter_action"] == APOLOGY
    assert endpoint.sent_headers == [{"Authorization": "Bearer the-token"}]
    assert breaker.failing == {"someone"}


async def test_under_the_guard_a_good_reply_is_rasas(breaker):
    serve.apply_patches(get_settings())
    reply = {"events": [{"event": "slot", "name": "shown", "value": ["x"]}], "responses": [{"response": "utter_x"}]}
    events = await run_action(ActionServer(reply))
    assert [type(e) for e in events] == [BotUttered, SlotSet]
    assert events[0].text == "x" and events[1].value == ["x"]
    assert breaker.state == Breaker.CLOSED and not breaker.failing


async def test_rasas_run_checks_replies_with_the_validator_built_once(monkeypatch):
    import jsonschema

    def schema_checked_every_time(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("Rasa's jsonschema.validate was called")

    patches.validate_action_replies_faster()
    monkeypatch.setattr(jsonschema, "validate", schema_checked_every_time)
    events = await run_action(ActionServer({"events": [], "responses": [{"response": "utter_x"}]}))
    assert [e.text for e in events] == ["x"]
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        await run_action(ActionServer({"events": "not a list"}))


class BrokenStore(InMemoryTrackerStore):
    """A tracker store whose database is down."""

    async def retrieve(self, sender_id: str) -> Any:
        raise ConnectionError("database down")

    async def save(self, tracker: DialogueStateTracker) -> None:
        raise ConnectionError("database down")


async def test_without_the_fallback_a_tracker_store_error_reaches_the_channel():
    domain = Domain.empty()
    rasas = rasa.core.agent.Agent._create_tracker_store(BrokenStore(domain), domain)
    assert type(rasas) is FailSafeTrackerStore and await rasas.retrieve("someone") is None  # Rasa's: swallowed
    patches.drop_tracker_store_fallback()
    agent = rasa.core.agent.Agent(domain=domain, tracker_store=BrokenStore(domain))
    assert type(agent.tracker_store) is NoFallbackTrackerStore
    with pytest.raises(ConnectionError):
        await agent.tracker_store.retrieve("someone")
    with pytest.raises(ConnectionError):
        await agent.tracker_store.save(DialogueStateTracker.from_events("someone", []))


def test_no_fallback_store_passes_on_every_call_rasas_would_catch():
    catching = {name for name, f in vars(FailSafeTrackerStore).items() if asyncio.iscoroutinefunction(f)}
    assert catching == {"retrieve", "retrieve_full_tracker", "keys", "save"}
    assert catching <= set(vars(NoFallbackTrackerStore))


def test_rasas_server_app_gets_ready_and_the_metrics_exporter(monkeypatch):
    from sanic import Sanic

    from signpost import metrics

    monkeypatch.setattr(Sanic, "test_mode", True)  # one app per name otherwise
    exporters: list[tuple[Any, ...]] = []
    monkeypatch.setattr(serve, "serve_metrics_on_start", lambda *args: exporters.append(args))
    settings = get_settings()
    serve.apply_patches(settings)
    app = rasa.core.run.configure_app(enable_api=False, port=5005)  # as serve_application calls it
    assert "ready" in {route.path for route in app.router.routes}
    assert exporters == [(app, metrics.RASA, settings.metrics_host, settings.rasa_metrics_port)]


def test_rasas_command_line_logging_becomes_ours():
    serve.apply_patches(get_settings())
    rasa.utils.io.configure_colored_logging("INFO")  # as rasa.__main__.main calls it
    (handler,) = logging.getLogger().handlers
    assert any(isinstance(f, logs.RequestIdFilter) for f in handler.filters)


def test_sanic_loggers_come_back_to_ours_after_rasa_sets_them_apart():
    sanic_root = logging.getLogger("sanic.root")
    rasa.utils.common.update_sanic_log_level()
    assert sanic_root.propagate is False  # Rasa's, on its own
    patches.fold_sanic_loggers()
    rasa.utils.common.update_sanic_log_level()
    assert sanic_root.propagate is True and not sanic_root.handlers


async def test_rasas_sql_tracker_store_uses_the_engine_put_in_its_place(tmp_path):
    store = SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "rasas.db"))
    ours = create_engine(f"sqlite:///{tmp_path / 'ours.db'}", future=True)
    SQLTrackerStore.Base.metadata.create_all(ours)
    patches.use_engine(store, ours)
    assert store.engine is ours
    await store.save(DialogueStateTracker.from_events("someone", [UserUttered("hello")]))  # Rasa's save
    assert list(await store.keys()) == ["someone"]
    loaded = await store.retrieve("someone")
    assert loaded is not None and loaded.latest_message.text == "hello"
    rasas = create_engine(f"sqlite:///{tmp_path / 'rasas.db'}")
    with rasas.connect() as connection:
        assert connection.exec_driver_sql("select count(*) from events").scalar() == 0
    rasas.dispose()
    ours.dispose()
