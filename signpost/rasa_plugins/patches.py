"""Every change this project makes to Rasa's own objects, in one place.

Rasa 3.6 offers no hook for what these do, so each one replaces (or wraps) an object of
Rasa's. They were written against Rasa 3.6.21 (RASA_VERSION). Before changing anything, each patch
checks that the installed Rasa is that version and that what it replaces still has the
shape it was written against (its signature, and that Rasa still looks it up where the
patch replaces it); if not, it raises `RasaChanged` naming the patch, so a Rasa upgrade
stops the server at start-up instead of running with a patch that no longer does what it
says. tests/signpost/rasa_plugins/test_patches.py checks that Rasa behaves as each patch
expects.

After upgrading Rasa: read each patch below, decide whether the new Rasa still needs it
and still behaves as the patch expects (the tests say where it does not), adjust, then
change RASA_VERSION.

For the whole Rasa server process, `apply_all` (from signpost.rasa_plugins.serve, before
Rasa's command line runs), once or again without harm:

- `guard_remote_actions`: RemoteAction.run, timeout, breaker and apology
  (signpost.rasa_plugins.resilience), the signposting answer run in this process
  (signpost.rasa_plugins.local_actions);
- `validate_action_replies_faster`: RemoteAction._validate_action_result;
- `drop_tracker_store_fallback`: the FailSafeTrackerStore that rasa.core.agent puts behind
  every tracker store;
- `extend_server_app`: rasa.core.run.configure_app, for `GET /ready` and the metrics;
- `use_our_logging`: rasa.utils.io.configure_colored_logging;
- `fold_sanic_loggers`: rasa.utils.common.update_sanic_log_level;
- `send_actions_what_they_read`: RemoteAction._action_call_format
  (signpost.rasa_plugins.action_payload);
- `copy_trackers_without_replay`: DialogueStateTracker.copy (signpost.rasa_plugins.tracker_copy);
- `validate_the_form_here`: FormAction.validate_slots, for the symptom form
  (signpost.rasa_plugins.form_validation);
- `match_rules_on_their_length`: RulePolicy._get_possible_keys (signpost.rasa_plugins.rule_keys);
- `format_states_only_when_logged`: RulePolicy.format_tracker_states;
- `extend_applied_events`: DialogueStateTracker.applied_events and
- `extend_prior_states`: Domain.states_for_tracker_history (both signpost.rasa_plugins.prior_states).

For each tracker store, from SignpostTrackerStore's constructor: `use_engine`, our
database engine in place of the one Rasa's SQLTrackerStore makes.

The project's subclasses of Rasa's classes (the tracker and lock stores, the channels, the
policy, the NLU components) are not patches: they change nothing of Rasa's and Rasa uses
them only where endpoints.yml, credentials.yml or config.yml name them.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any, Callable, Sequence

import rasa
from rasa.core.tracker_store import SQLTrackerStore

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"  # the Rasa every patch here was written against and checked with

MARK = "signpost_patch"  # set on each replacement: the patch's name


class RasaChanged(RuntimeError):
    """The installed Rasa is not the one a patch was written against."""


def check_version(patch: str) -> None:
    """Refuse to apply `patch` to any Rasa but RASA_VERSION."""
    if rasa.__version__ != RASA_VERSION:
        raise RasaChanged(
            f"Rasa patch {patch!r} was written for Rasa {RASA_VERSION}, not Rasa {rasa.__version__}: "
            "check it against this Rasa (signpost/rasa_plugins/patches.py) before changing RASA_VERSION"
        )


def original(current: Any) -> Any:
    """Rasa's own object under a replacement of ours (`current` itself if it is Rasa's)."""
    return current.__wrapped__ if getattr(current, MARK, None) else current


def check_shape(
    patch: str,
    function: Any,
    parameters: Sequence[str],
    qualname: str,
    coroutine: bool = False,
) -> None:
    """Refuse to replace `function` unless it is Rasa's `qualname` with these parameters."""
    found = f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', '?')}"
    if found != qualname:
        raise RasaChanged(f"Rasa patch {patch!r} expected Rasa's {qualname}, found {found}")
    names = list(inspect.signature(function).parameters)
    if names != list(parameters):
        raise RasaChanged(
            f"Rasa patch {patch!r}: {qualname} takes ({', '.join(names)}), "
            f"the patch was written for ({', '.join(parameters)})"
        )
    if inspect.iscoroutinefunction(function) != coroutine:
        raise RasaChanged(f"Rasa patch {patch!r}: {qualname} is {'no longer' if coroutine else 'now'} a coroutine")


def check_looked_up(patch: str, caller: Callable[..., Any], name: str) -> None:
    """Refuse a patch that would change nothing: Rasa's `caller` must look `name` up when it runs."""
    code = getattr(inspect.unwrap(caller), "__code__", None)
    if code is None or name not in code.co_names:
        raise RasaChanged(
            f"Rasa patch {patch!r}: {caller.__module__}.{caller.__qualname__} no longer looks up {name!r}, "
            "so replacing it would change nothing"
        )


def replace(owner: Any, name: str, patch: str, replacement: Callable[..., Any], rasas: Callable[..., Any]) -> None:
    """Put `replacement` at `owner.name`, marked with the patch and Rasa's own function."""
    replacement.__wrapped__ = rasas  # type: ignore[attr-defined]
    setattr(replacement, MARK, patch)
    setattr(owner, name, replacement)


def guard_remote_actions() -> None:
    """Rasa 3.6 waits up to five minutes for a custom action and, when the call fails, sends
    nothing. RemoteAction.run becomes signpost.rasa_plugins.resilience.guarded around Rasa's:
    a call that fails or takes longer than ACTION_TIMEOUT_S is answered with
    `utter_service_problem` (helpline and 999), a breaker fails fast while the action server
    is down, and every call carries the action server's token. Inside the guard, the
    signposting answer runs in this process (signpost.rasa_plugins.local_actions), through
    rasa-sdk's executor, with the request Rasa would send; any other action, or that one if
    it fails here, goes to the action server."""
    from rasa.core.actions.action import RemoteAction

    from signpost.rasa_plugins.local_actions import here_or_remote
    from signpost.rasa_plugins.resilience import guarded

    patch = "guard_remote_actions"
    check_version(patch)
    rasas = original(RemoteAction.run)
    check_shape(
        patch,
        rasas,
        ["self", "output_channel", "nlg", "tracker", "domain"],
        "rasa.core.actions.action.RemoteAction.run",
        coroutine=True,
    )
    for name in ("action_endpoint", "request", "_utter_responses"):
        check_looked_up(patch, rasas, name)  # the call here_or_remote runs in this process
    replace(RemoteAction, "run", patch, guarded(here_or_remote(rasas)), rasas)


def validate_action_replies_faster() -> None:
    """Rasa 3.6 checks each action server reply with `jsonschema.validate`, which checks the
    schema itself against the JSON Schema meta-schema on every call first: 22 ms of CPU a
    custom action here (docs/performance.md). RemoteAction._validate_action_result becomes
    one with a validator built once (resilience.validate_with_schema_checked_once): the same
    replies pass, the same errors are raised."""
    from rasa.core.actions.action import RemoteAction

    from signpost.rasa_plugins.resilience import validate_with_schema_checked_once

    patch = "validate_action_replies_faster"
    check_version(patch)
    rasas = original(RemoteAction._validate_action_result)
    check_shape(patch, rasas, ["self", "result"], "rasa.core.actions.action.RemoteAction._validate_action_result")
    check_looked_up(patch, original(RemoteAction.run), "_validate_action_result")
    check_shape(
        patch,
        RemoteAction.action_response_format_spec,
        [],
        "rasa.core.actions.action.RemoteAction.action_response_format_spec",
    )
    replace(RemoteAction, "_validate_action_result", patch, validate_with_schema_checked_once(), rasas)


def drop_tracker_store_fallback() -> None:
    """Rasa 3.6's Agent wraps every tracker store in a FailSafeTrackerStore, which on a
    database error starts the conversation afresh and keeps its events in this process's
    memory only, to be lost later. rasa.core.agent's FailSafeTrackerStore becomes
    resilience.NoFallbackTrackerStore, which passes errors on: the turn fails and the
    channel answers with the helpline and 999, and nothing unstored is acknowledged."""
    import rasa.core.agent
    from rasa.core.tracker_store import FailSafeTrackerStore

    from signpost.rasa_plugins.resilience import NoFallbackTrackerStore

    patch = "drop_tracker_store_fallback"
    check_version(patch)
    if rasa.core.agent.FailSafeTrackerStore not in (FailSafeTrackerStore, NoFallbackTrackerStore):
        raise RasaChanged(f"Rasa patch {patch!r}: rasa.core.agent.FailSafeTrackerStore is not Rasa's")
    check_shape(
        patch,
        FailSafeTrackerStore.__init__,
        ["self", "tracker_store", "on_tracker_store_error", "fallback_tracker_store"],
        "rasa.core.tracker_store.FailSafeTrackerStore.__init__",
    )
    check_looked_up(patch, rasa.core.agent.Agent._create_tracker_store, "FailSafeTrackerStore")
    rasa.core.agent.FailSafeTrackerStore = NoFallbackTrackerStore  # type: ignore[misc]


CONFIGURE_APP_PARAMETERS = [
    "input_channels",
    "cors",
    "auth_token",
    "enable_api",
    "response_timeout",
    "jwt_secret",
    "jwt_private_key",
    "jwt_method",
    "route",
    "port",
    "endpoints",
    "log_file",
    "conversation_id",
    "use_syslog",
    "syslog_address",
    "syslog_port",
    "syslog_protocol",
    "request_timeout",
    "server_listeners",
    "use_uvloop",
    "keep_alive_timeout",
]


def extend_server_app(extend: Callable[[Any], None]) -> None:
    """Rasa 3.6 builds its Sanic app in rasa.core.run.configure_app and offers no way to add
    routes or listeners to it. configure_app becomes one that passes everything to Rasa's,
    then hands the app to `extend` (serve.extend_rasa_app: `GET /ready` and the metrics)."""
    import rasa.core.run

    patch = "extend_server_app"
    check_version(patch)
    rasas = original(rasa.core.run.configure_app)
    check_shape(patch, rasas, CONFIGURE_APP_PARAMETERS, "rasa.core.run.configure_app")
    check_looked_up(patch, rasa.core.run.serve_application, "configure_app")

    def configure_signpost_app(*args: Any, **kwargs: Any) -> Any:
        app = rasas(*args, **kwargs)
        extend(app)
        return app

    replace(rasa.core.run, "configure_app", patch, configure_signpost_app, rasas)


def use_our_logging(configure_logging: Callable[..., None]) -> None:
    """Rasa 3.6's command line installs coloredlogs on the root logger
    (rasa.utils.io.configure_colored_logging), replacing our handler and its request-id
    format. That function becomes `configure_logging` (signpost.logs.configure with the
    configured level and format)."""
    import rasa.__main__
    import rasa.utils.io

    patch = "use_our_logging"
    check_version(patch)
    rasas = original(rasa.utils.io.configure_colored_logging)
    check_shape(patch, rasas, ["loglevel"], "rasa.utils.io.configure_colored_logging")
    check_looked_up(patch, rasa.__main__.main, "configure_colored_logging")
    replace(rasa.utils.io, "configure_colored_logging", patch, configure_logging, rasas)


def fold_sanic_loggers() -> None:
    """Rasa 3.6 gives Sanic's loggers handlers of their own just before serving
    (rasa.utils.common.update_sanic_log_level), so their lines skip our format.
    update_sanic_log_level becomes Rasa's followed by signpost.logs.fold_library_loggers,
    which sends them through the root handler again (their levels are kept)."""
    import rasa.core.run
    import rasa.utils.common

    from signpost import logs

    patch = "fold_sanic_loggers"
    check_version(patch)
    rasas = original(rasa.utils.common.update_sanic_log_level)
    check_shape(
        patch,
        rasas,
        ["log_file", "use_syslog", "syslog_address", "syslog_port", "syslog_protocol"],
        "rasa.utils.common.update_sanic_log_level",
    )
    check_looked_up(patch, rasa.core.run.serve_application, "update_sanic_log_level")

    def update_and_fold(*args: Any, **kwargs: Any) -> None:
        rasas(*args, **kwargs)
        logs.fold_library_loggers()

    replace(rasa.utils.common, "update_sanic_log_level", patch, update_and_fold, rasas)


def extend_prior_states() -> None:
    """Rasa 3.6 rebuilds the state before every earlier action of the session by replaying
    it from its first event, for each of the three or four predictions of every turn
    (Domain.states_for_tracker_history; 56 ms a turn at turn 200, docs/performance.md).
    It becomes signpost.rasa_plugins.prior_states.states_for_tracker_history: the same
    states, extended from the previous call on the same tracker when the session only grew,
    rebuilt from the start otherwise."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from signpost.rasa_plugins import prior_states

    patch = "extend_prior_states"
    check_version(patch)
    rasas = original(Domain.states_for_tracker_history)
    check_shape(
        patch,
        rasas,
        ["self", "tracker", "omit_unset_slots", "ignore_rule_only_turns", "rule_only_data"],
        "rasa.shared.core.domain.Domain.states_for_tracker_history",
    )
    for name in (
        "generate_all_prior_trackers",
        "get_active_state",
        "_get_prev_action_sub_state",
        "_remove_rule_only_features",
        "_substitute_rule_only_user_input",
        "_clean_state",
    ):
        check_looked_up(patch, rasas, name)  # what prior_states._step does, step for step
    check_looked_up(patch, DialogueStateTracker.past_states, "states_for_tracker_history")
    check_looked_up(patch, original(DialogueStateTracker.generate_all_prior_trackers), "applied_events")
    replace(Domain, "states_for_tracker_history", patch, prior_states.states_for_tracker_history, rasas)


def extend_applied_events() -> None:
    """Rasa 3.6 lists a tracker's applied events (all but the reverted ones, from the last
    restart) by walking every event of the session, several times a prediction: the
    policies, the featurizers and the processor each ask. DialogueStateTracker.applied_events
    becomes signpost.rasa_plugins.prior_states.applied_events: the same list, continued from
    the previous call on the same tracker when its events only grew, listed afresh otherwise."""
    from rasa.shared.core.trackers import DialogueStateTracker

    from signpost.rasa_plugins import prior_states

    patch = "extend_applied_events"
    check_version(patch)
    rasas = original(DialogueStateTracker.applied_events)
    check_shape(patch, rasas, ["self"], "rasa.shared.core.trackers.DialogueStateTracker.applied_events")
    for name in ("_undo_till_previous", "_first_loop_execution_or_unhappy_path", "_undo_till_previous_loop_execution"):
        check_looked_up(patch, rasas, name)  # what prior_states._apply does, step for step
    replace(DialogueStateTracker, "applied_events", patch, prior_states.applied_events, rasas)


def copy_trackers_without_replay() -> None:
    """Rasa 3.6 copies the tracker before each action it runs by replaying every event of the
    conversation into a new one (DialogueStateTracker.copy, from MessageProcessor._run_action
    and FormAction._activate_loop): about 12 ms a copy at turn 200 (docs/performance.md).
    It becomes signpost.rasa_plugins.tracker_copy's: the tracker that replay would give,
    built from the tracker's own state; Rasa's copy where replay might give another."""
    from rasa.core.actions.forms import FormAction
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.trackers import DialogueStateTracker

    from signpost.rasa_plugins import tracker_copy

    patch = "copy_trackers_without_replay"
    check_version(patch)
    rasas = original(DialogueStateTracker.copy)
    check_shape(patch, rasas, ["self"], "rasa.shared.core.trackers.DialogueStateTracker.copy")
    check_looked_up(patch, rasas, "travel_back_in_time")
    travel = DialogueStateTracker.travel_back_in_time
    for name in ("init_copy", "update"):
        check_looked_up(patch, travel, name)  # the replay copy_tracker stands in for
    check_looked_up(patch, MessageProcessor._run_action, "copy")
    check_looked_up(patch, FormAction._activate_loop, "copy")
    attributes = set(vars(DialogueStateTracker("check", [])))
    if attributes != tracker_copy.ATTRIBUTES:
        raise RasaChanged(
            f"Rasa patch {patch!r}: a tracker now has the attributes {sorted(attributes)}, "
            f"the patch was written for {sorted(tracker_copy.ATTRIBUTES)}"
        )
    replace(DialogueStateTracker, "copy", patch, tracker_copy.copier(rasas), rasas)


def validate_the_form_here() -> None:
    """Rasa 3.6's FormAction has the action server validate each answer to the form
    (`validate_symptom_form`): a second round trip in every signposting turn, on a tracker
    rebuilt by replaying the session. FormAction.validate_slots becomes one that, for the
    symptom form, gives the slot events signpost.symptom_form's rules give
    (signpost.rasa_plugins.form_validation.validated), in this process; for any other form,
    or if that fails, Rasa's own (the action server's validation)."""
    from rasa.core.actions.forms import FormAction

    from signpost.dialogue import SYMPTOM_FORM_VALIDATION
    from signpost.rasa_plugins import form_validation

    patch = "validate_the_form_here"
    check_version(patch)
    rasas = original(FormAction.validate_slots)
    check_shape(
        patch,
        rasas,
        ["self", "slot_candidates", "tracker", "domain", "output_channel", "nlg"],
        "rasa.core.actions.forms.FormAction.validate_slots",
        coroutine=True,
    )
    for name in ("_temporary_tracker", "RemoteAction", "action_names_or_texts"):
        check_looked_up(patch, rasas, name)  # what validated() stands in for
    for name in ("events_after_latest_restart", "get_slot_to_fill", "ActionExecuted", "SlotSet", "REQUESTED_SLOT"):
        check_looked_up(patch, FormAction._temporary_tracker, name)  # the events validated() reads
    check_looked_up(patch, FormAction.validate, "validate_slots")

    async def validate_slots(
        self: FormAction, slot_candidates: Any, tracker: Any, domain: Any, output_channel: Any, nlg: Any
    ) -> Any:
        name = f"validate_{self.name()}"
        if name == SYMPTOM_FORM_VALIDATION and name in domain.action_names_or_texts:
            try:
                return form_validation.validated(self, slot_candidates, tracker, domain)
            except Exception:  # noqa: BLE001  (the action server validates as before)
                logger.exception("symptom form validated by the action server: the local validation failed")
        return await rasas(self, slot_candidates, tracker, domain, output_channel, nlg)

    replace(FormAction, "validate_slots", patch, validate_slots, rasas)


def match_rules_on_their_length() -> None:
    """Rasa 3.6's RulePolicy checks every rule against every state of the session, although
    past a rule's own length the check always passes (RulePolicy._is_rule_applicable): at
    turn 200, most of the policy's time (docs/performance.md). RulePolicy._get_possible_keys
    becomes signpost.rasa_plugins.rule_keys's: Rasa's, given only the states the longest
    rule reaches."""
    from rasa.core.policies.rule_policy import RulePolicy

    from signpost.rasa_plugins import rule_keys

    patch = "match_rules_on_their_length"
    check_version(patch)
    rasas = original(RulePolicy._get_possible_keys)
    check_shape(
        patch, rasas, ["self", "lookup", "states"], "rasa.core.policies.rule_policy.RulePolicy._get_possible_keys"
    )
    nested = [c for c in rasas.__code__.co_consts if inspect.iscode(c)]
    if not any("_is_rule_applicable" in c.co_names for c in nested):  # (in its filter's lambda)
        raise RasaChanged(f"Rasa patch {patch!r}: RulePolicy._get_possible_keys no longer checks _is_rule_applicable")
    check_shape(
        patch,
        RulePolicy._is_rule_applicable,
        ["self", "rule_key", "turn_index", "conversation_state"],
        "rasa.core.policies.rule_policy.RulePolicy._is_rule_applicable",
    )
    check_looked_up(patch, RulePolicy._is_rule_applicable, "_rule_key_to_state")
    check_looked_up(patch, RulePolicy._find_action_from_rules, "_get_possible_keys")
    replace(RulePolicy, "_get_possible_keys", patch, rule_keys.matcher(rasas), rasas)


def format_states_only_when_logged() -> None:
    """Rasa 3.6's RulePolicy turns every state of the session into text for a debug log line
    at each prediction (`format_tracker_states`, then a deep copy of the text), whether or
    not debug lines are logged: at turn 200 about a fifth of what a prediction grows by
    (docs/performance.md). It becomes Rasa's own while the `rasa` logger logs debug lines,
    and an empty text otherwise; nothing else reads it."""
    from rasa.core.policies.rule_policy import RulePolicy

    patch = "format_states_only_when_logged"
    check_version(patch)
    rasas = original(RulePolicy.format_tracker_states)
    check_shape(patch, rasas, ["states"], "rasa.core.policies.policy.Policy.format_tracker_states")
    check_looked_up(patch, RulePolicy._find_action_from_rules, "format_tracker_states")
    rasa_logger = logging.getLogger("rasa")

    def format_tracker_states(states: Any) -> str:
        return str(rasas(states)) if rasa_logger.isEnabledFor(logging.DEBUG) else ""

    replace(RulePolicy, "format_tracker_states", patch, format_tracker_states, rasas)
    RulePolicy.format_tracker_states = staticmethod(format_tracker_states)


def send_actions_what_they_read() -> None:
    """Rasa 3.6 sends every event of the conversation with each custom-action call
    (RemoteAction._action_call_format), and the action server decodes them all: about half
    a turn's CPU at turn 200 (docs/performance.md). It becomes Rasa's with the events
    replaced by those our actions read (signpost.rasa_plugins.action_payload); the rest of
    the request, the domain included, is Rasa's."""
    from rasa.core.actions.action import RemoteAction

    from signpost.rasa_plugins.action_payload import payload_state

    patch = "send_actions_what_they_read"
    check_version(patch)
    rasas = original(RemoteAction._action_call_format)
    check_shape(
        patch, rasas, ["self", "tracker", "domain"], "rasa.core.actions.action.RemoteAction._action_call_format"
    )
    check_looked_up(patch, rasas, "current_state")
    check_looked_up(patch, original(RemoteAction.run), "_action_call_format")

    def call_format(self: RemoteAction, tracker: Any, domain: Any) -> Any:
        result = rasas(self, _WithoutEvents(tracker), domain)  # everything but the events: Rasa's
        result["tracker"] = payload_state(tracker)
        return result

    replace(RemoteAction, "_action_call_format", patch, call_format, rasas)


class _WithoutEvents:
    """A tracker whose `current_state` leaves the events out (Rasa's call format asks for all
    of them, to be replaced): the rest is the tracker's own."""

    def __init__(self, tracker: Any) -> None:
        self._tracker = tracker

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)

    def current_state(self, event_verbosity: Any = None) -> dict[str, Any]:
        return {}


def apply_all(extend_app: Callable[[Any], None], configure_logging: Callable[..., None]) -> None:
    """Every process-wide patch, each checked against this Rasa first (the Rasa server's
    start, serve.run_rasa, gives the project's replacements). Applying again replaces
    Rasa's originals afresh (never our replacements), so it changes nothing but what the
    replacements were given."""
    guard_remote_actions()
    validate_action_replies_faster()
    drop_tracker_store_fallback()
    extend_server_app(extend_app)
    use_our_logging(configure_logging)
    fold_sanic_loggers()
    extend_applied_events()
    extend_prior_states()
    send_actions_what_they_read()
    copy_trackers_without_replay()
    validate_the_form_here()
    match_rules_on_their_length()
    format_states_only_when_logged()


SQL_TRACKER_STORE_PARAMETERS = [
    "self",
    "domain",
    "dialect",
    "host",
    "port",
    "db",
    "username",
    "password",
    "event_broker",
    "login_db",
    "query",
    "kwargs",
]


def use_engine(store: SQLTrackerStore, engine: Any) -> None:
    """Rasa 3.6's SQLTrackerStore makes its own engine in its constructor and takes none
    from outside; ours checks pooled connections before use (so the store recovers by
    itself after a database restart), gives up connecting after 5 s and waits for SQLite's
    lock. This disposes of Rasa's engine and puts `engine`, and a sessionmaker bound to it,
    where Rasa's methods look for them (`store.engine`, `store.sessionmaker`)."""
    from sqlalchemy.orm import sessionmaker

    patch = "use_engine"
    check_version(patch)
    check_shape(
        patch,
        SQLTrackerStore.__init__,
        SQL_TRACKER_STORE_PARAMETERS,
        "rasa.core.tracker_store.SQLTrackerStore.__init__",
    )
    missing = [name for name in ("engine", "sessionmaker") if name not in vars(store)]
    if missing:
        raise RasaChanged(f"Rasa patch {patch!r}: Rasa's SQLTrackerStore no longer sets {', '.join(missing)}")
    store.engine.dispose()  # type: ignore[has-type]  # (Rasa's attribute is untyped)
    store.engine = engine
    store.sessionmaker = sessionmaker(bind=engine, future=True)
