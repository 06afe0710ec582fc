"""The signposting answer, run inside the Rasa server by rasa-sdk's own executor.

A signposting turn's answer (`action_signpost`) is the custom action nearly every
conversation runs. Sent to the action server, it costs a round trip: the request built and
encoded, an HTTP connection, rasa-sdk's server decoding it, the reply encoded and decoded:
about 8 ms of a 38 ms turn on this machine, the most of what made a signposting turn 1.6
times a "hello" turn (docs/performance.md). `here_or_remote` wraps Rasa's
RemoteAction.run so that the actions named in RUN_HERE go, with exactly the request Rasa
would send (JSON-encoded and decoded, so the types are those the server would see), to
rasa-sdk's ActionExecutor in this process, the executor the action server itself uses
with the same `actions` package; Rasa handles the reply as it handles the server's. Any
other action goes to the action server as before.

The executor runs on its own thread and event loop, so the database reads of an answer
never block the Rasa server's loop. If the actions cannot be loaded here (an image
without them), or a call fails here, the call goes to the action server instead; the
resilience guard (signpost.rasa_plugins.resilience) still times and breaks both.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any, Awaitable, Callable, List, Optional

from signpost import metrics
from signpost.dialogue import SIGNPOST_ACTION

logger = logging.getLogger(__name__)

ACTIONS_PACKAGE = "actions"  # as the action server is started (`--actions actions`)
RUN_HERE = frozenset({SIGNPOST_ACTION})


class LocalActions:
    """rasa-sdk's executor for `package`, on a thread with its own event loop."""

    def __init__(self, package: str) -> None:
        import importlib

        from rasa_sdk.executor import ActionExecutor

        importlib.import_module(package)  # an ImportError here, not rasa-sdk's exit below
        executor = ActionExecutor()
        executor.register_package(package)
        self.executor = executor
        self.names = frozenset(executor.actions)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="signpost-local-actions", daemon=True)
        self.thread.start()

    async def run(self, body: Any) -> Any:
        """The executor's reply to an action call, as the action server would give it."""
        call = json.loads(json.dumps(body))  # the request as the server would decode it
        reply = await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self.executor.run(call), self.loop))
        return json.loads(json.dumps(reply))  # and the reply as Rasa would decode it

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class _Endpoint:
    """Stands in for the action endpoint during one call: `request` runs the action here;
    everything else Rasa reads (its url, its options) is the endpoint's own."""

    def __init__(self, actions: LocalActions, remote: Any) -> None:
        self._actions = actions
        self._remote = remote

    def __getattr__(self, name: str) -> Any:
        return getattr(self._remote, name)

    async def request(self, json: Any = None, **_: Any) -> Any:
        return await self._actions.run(json)


_local: Optional[LocalActions] = None
_unavailable = False
_lock = threading.Lock()


def local_actions() -> Optional[LocalActions]:
    """This process's executor, made on first use; None (for good) if the actions do not load."""
    global _local, _unavailable
    if _local is not None or _unavailable:
        return _local
    with _lock:
        if _local is None and not _unavailable:
            try:
                _local = LocalActions(ACTIONS_PACKAGE)
            # rasa-sdk exits the process on an import error in a submodule: not this one
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - the action server answers instead
                _unavailable = True
                logger.warning(
                    "actions not loadable in this process (%s): all go to the action server", type(exc).__name__
                )
    return _local


def reset() -> None:
    """Forget this process's executor (tests)."""
    global _local, _unavailable
    with _lock:
        if _local is not None:
            _local.close()
        _local, _unavailable = None, False


def here_or_remote(run: Callable[..., Awaitable[List[Any]]]) -> Callable[..., Awaitable[List[Any]]]:
    """Rasa's RemoteAction.run (`run`), with the actions in RUN_HERE run in this process."""

    async def run_here_or_remote(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        name = self.name()
        actions = local_actions() if name in RUN_HERE else None
        if actions is not None and name in actions.names:
            remote = self.action_endpoint
            self.action_endpoint = _Endpoint(actions, remote)
            try:
                events = await run(self, output_channel, nlg, tracker, domain)
                metrics.count_local_action(name, "ok")
                return events
            except Exception as exc:  # noqa: BLE001 - the action server gets the call instead
                logger.error("custom action %s failed here (%s); calling the action server", name, type(exc).__name__)
                metrics.count_local_action(name, "error")
            finally:
                self.action_endpoint = remote
        return await run(self, output_channel, nlg, tracker, domain)

    run_here_or_remote.__wrapped__ = run  # type: ignore[attr-defined]
    return run_here_or_remote
