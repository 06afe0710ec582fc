"""Start the Rasa server or the action server with our logging and limits installed.

    python -m signpost.rasa_plugins.serve run --model models/signpost.tar.gz [rasa run options]
    python -m signpost.rasa_plugins.serve run actions --actions actions [rasa-sdk options]

Used by `make run`, the tests, the benchmarks and the container images instead of
`rasa run`. Both servers log in the request-id format of signpost.logs instead
of Rasa's coloured default. The action server runs on rasa-sdk alone, without
importing Rasa (and TensorFlow), which keeps it small. It listens on
ACTION_SERVER_HOST (127.0.0.1 unless set) and answers only requests that carry
`Authorization: Bearer <ACTION_SERVER_TOKEN>`, as the Rasa server's calls do;
`GET /health` is open, for the process supervisor and the container probes.

Both servers also answer `GET /ready` (signpost.health: the model and the database
for the Rasa server, the database for the action server) and serve their Prometheus
metrics on their own port (signpost.metrics), started in the Sanic worker (Rasa and
rasa-sdk run one; a second worker would find the metrics port taken and log it).
"""

from __future__ import annotations

import hmac
import os
import sys
import time
from typing import Any, Callable

from signpost.health import READY_PATH


def logging_configurer(level_default: str, fmt: str = "text") -> Callable[..., None]:
    from signpost import logs

    def configure_logging(level: Any = None) -> None:
        logs.configure(level or level_default, fmt)

    return configure_logging


HEALTH_PATH = "/health"
OPEN_PATHS = (HEALTH_PATH, READY_PATH)


def authorised(authorization: str | None, token: str) -> bool:
    """Whether an Authorization header value is `Bearer <token>` (compared in constant time)."""
    scheme, _, credentials = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(credentials.strip().encode("utf-8", "replace"), token.encode("utf-8"))


def require_token(app: Any, token: str) -> None:
    """Answer 401 to every request but `GET /health` and `GET /ready` that lacks
    `Authorization: Bearer <token>`.

    The check is the first request middleware, so nothing else runs for a refused
    request: no action, no action list, no CORS handling.
    """
    from sanic import response

    async def check_token(request: Any) -> Any:
        if request.method == "GET" and request.path in OPEN_PATHS:
            return None
        if authorised(request.headers.get("authorization"), token):
            return None
        return response.json({"error": "unauthorised"}, status=401, headers={"WWW-Authenticate": "Bearer"})

    app.request_middleware.appendleft(check_token)


def ready_route(app: Any, checks: Callable[[Any], dict[str, Callable[[], bool]]]) -> None:
    """`GET /ready` on a Sanic app: 200 when every check of `checks(app)` passes, else 503."""
    from sanic import response

    from signpost.health import readiness

    async def ready(request: Any) -> Any:
        result = await readiness(checks(request.app))
        return response.json(result.body(), status=result.status)

    app.add_route(ready, READY_PATH, methods=["GET"])


def serve_metrics_on_start(app: Any, registry: Any, host: str, port: int) -> None:
    """Start the metrics exporter in the Sanic worker that serves the app."""
    from signpost import metrics

    async def start(*_: Any) -> None:
        metrics.serve(registry, host, port)

    app.register_listener(start, "before_server_start")


def count_action_calls(app: Any, known: frozenset[str]) -> None:
    """Time and count every call to the action server's webhook (by action and outcome)."""
    from signpost import metrics

    async def started(request: Any) -> None:
        request.ctx.started = time.perf_counter()

    async def answered(request: Any, response: Any) -> None:
        if request.path != "/webhook" or not hasattr(request.ctx, "started"):
            return
        try:
            action = (request.json or {}).get("next_action")
        except Exception:  # noqa: BLE001 - a body that is not JSON names no action
            action = None
        metrics.count_action_call(action, known, response.status, time.perf_counter() - request.ctx.started)

    app.request_middleware.appendleft(started)  # before the token check, so refusals are timed too
    app.register_middleware(answered, "response")


def registered_actions(actions: str) -> frozenset[str]:
    """The names of the actions rasa-sdk finds in the `actions` package."""
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package(actions)
    return frozenset(executor.actions)


def action_app(actions: str, token: str, cors: Any = None, auto_reload: bool = False) -> Any:
    """rasa-sdk's action server app (its plugins attached), answering only callers with the
    token, with `GET /ready` (the database) and its calls counted for the metrics."""
    from rasa_sdk.endpoint import create_app
    from rasa_sdk.plugin import plugin_manager

    from signpost.config import get_settings
    from signpost.health import database_reachable
    from signpost.storage.engine import engine_for

    app = create_app(actions, cors_origins=cors, auto_reload=auto_reload)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    require_token(app, token)
    count_action_calls(app, registered_actions(actions))
    ready_route(app, lambda _: {"database": lambda: database_reachable(engine_for(get_settings().database_url))})
    return app


def early_logging(settings: Any) -> None:
    """Our log format before Rasa, rasa-sdk or TensorFlow are imported, so what they log (and
    warn) while importing is in it too; TensorFlow's own C++ log keeps to errors unless
    TF_CPP_MIN_LOG_LEVEL says otherwise."""
    from signpost import logs

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logs.configure(settings.log_level, settings.log_format)


def run_action_server(argv: list[str]) -> None:
    """rasa-sdk's `main_from_args` and `run`, except that the server listens on
    ACTION_SERVER_HOST (loopback by default, not every interface) and every call but
    the health check must carry ACTION_SERVER_TOKEN."""
    import logging

    from signpost import logs, metrics
    from signpost.config import get_settings

    settings = get_settings()
    early_logging(settings)
    import rasa_sdk.utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_argument_parser, create_ssl_context

    args = create_argument_parser().parse_args(argv)
    logging_configurer(settings.log_level, settings.log_format)(args.loglevel)
    rasa_sdk.utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    rasa_sdk.utils.update_sanic_log_level()
    logs.fold_library_loggers()
    app = action_app(args.actions, settings.action_server_token, cors=args.cors, auto_reload=args.auto_reload)
    serve_metrics_on_start(app, metrics.ACTIONS, settings.metrics_host, settings.action_metrics_port)
    ssl = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logging.getLogger(__name__).info(
        "action server on %s://%s:%d", "https" if ssl else "http", settings.action_server_host, args.port
    )
    app.run(settings.action_server_host, args.port, ssl=ssl, workers=rasa_sdk.utils.number_of_sanic_workers())


def rasa_checks(app: Any) -> dict[str, Callable[[], bool]]:
    """The Rasa server is ready once its model is loaded and the tracker store's database answers."""
    from signpost.config import get_settings
    from signpost.health import database_reachable
    from signpost.storage.engine import engine_for

    def model_loaded() -> bool:
        agent = getattr(app.ctx, "agent", None)
        return bool(agent is not None and agent.is_ready())

    return {"model": model_loaded, "database": lambda: database_reachable(engine_for(get_settings().database_url))}


def extend_rasa_app(app: Any, settings: Any) -> None:
    """What every Rasa server app gets (signpost.rasa_plugins.patches adds it to Rasa's):
    `GET /ready` and its metrics exporter."""
    from signpost import metrics

    ready_route(app, rasa_checks)
    serve_metrics_on_start(app, metrics.RASA, settings.metrics_host, settings.rasa_metrics_port)


def apply_patches(settings: Any) -> None:
    """Rasa's objects replaced by the project's (signpost.rasa_plugins.patches), with these settings."""
    from signpost.rasa_plugins import patches

    patches.apply_all(
        lambda app: extend_rasa_app(app, settings), logging_configurer(settings.log_level, settings.log_format)
    )


def run_rasa(argv: list[str]) -> None:
    from signpost.config import get_settings

    settings = get_settings()
    early_logging(settings)
    from rasa.__main__ import main as rasa_main

    from signpost.rasa_plugins import resilience
    from signpost.rasa_plugins.channels.inbound import MAX_REQUEST_BYTES

    # Sanic reads SANIC_* variables when the app is made: bodies over the limit get 413.
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_REQUEST_BYTES))
    resilience.configure(
        settings.action_timeout_s,
        settings.action_circuit_open_s,
        settings.breaker_failures,
        settings.action_server_token,
    )
    apply_patches(settings)
    sys.argv = ["rasa", *argv]
    rasa_main()


def main() -> None:
    argv = sys.argv[1:]
    if argv[:2] == ["run", "actions"]:
        run_action_server(argv[2:])
    else:
        run_rasa(argv)


if __name__ == "__main__":
    main()
