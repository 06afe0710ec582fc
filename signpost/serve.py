"""Start the Rasa server or the action server with our logging and limits installed.

    python -m signpost.serve run --model models/signpost.tar.gz [rasa run options]
    python -m signpost.serve run actions --actions actions [rasa-sdk options]

Used by `make run`, the tests, the benchmarks and the container images instead of
`rasa run`. Both servers log in the request-id format of signpost.logs instead
of Rasa's coloured default. The action server runs on rasa-sdk alone, without
importing Rasa (and TensorFlow), which keeps it small. It listens on
ACTION_SERVER_HOST (127.0.0.1 unless set) and answers only requests that carry
`Authorization: Bearer <ACTION_SERVER_TOKEN>`, as the Rasa server's calls do;
`GET /health` is open, for the process supervisor and the container probes.
"""

from __future__ import annotations

import hmac
import os
import sys
from typing import Any, Callable


def _logging(level_default: str) -> Callable[..., None]:
    from signpost import logs

    def configure_logging(level: Any = None) -> None:
        logs.configure(level or level_default)

    return configure_logging


HEALTH_PATH = "/health"


def authorised(authorization: str | None, token: str) -> bool:
    """Whether an Authorization header value is `Bearer <token>` (compared in constant time)."""
    scheme, _, credentials = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(credentials.strip().encode("utf-8", "replace"), token.encode("utf-8"))


def require_token(app: Any, token: str) -> None:
    """Answer 401 to every request but `GET /health` that lacks `Authorization: Bearer <token>`.

    The check is the first request middleware, so nothing else runs for a refused
    request: no action, no action list, no CORS handling.
    """
    from sanic import response

    async def check_token(request: Any) -> Any:
        if request.method == "GET" and request.path == HEALTH_PATH:
            return None
        if authorised(request.headers.get("authorization"), token):
            return None
        return response.json({"error": "unauthorised"}, status=401, headers={"WWW-Authenticate": "Bearer"})

    app.request_middleware.appendleft(check_token)


def action_app(actions: str, token: str, cors: Any = None, auto_reload: bool = False) -> Any:
    """rasa-sdk's action server app (its plugins attached), answering only callers with the token."""
    from rasa_sdk.endpoint import create_app
    from rasa_sdk.plugin import plugin_manager

    app = create_app(actions, cors_origins=cors, auto_reload=auto_reload)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    require_token(app, token)
    return app


def run_action_server(argv: list[str]) -> None:
    """rasa-sdk's `main_from_args` and `run`, except that the server listens on
    ACTION_SERVER_HOST (loopback by default, not every interface) and every call but
    the health check must carry ACTION_SERVER_TOKEN."""
    import logging

    import rasa_sdk.utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_argument_parser, create_ssl_context

    from signpost.config import get_settings

    settings = get_settings()
    args = create_argument_parser().parse_args(argv)
    _logging(settings.log_level)(args.loglevel)
    rasa_sdk.utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    rasa_sdk.utils.update_sanic_log_level()
    app = action_app(args.actions, settings.action_server_token, cors=args.cors, auto_reload=args.auto_reload)
    ssl = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logging.getLogger(__name__).info(
        "action server on %s://%s:%d", "https" if ssl else "http", settings.action_server_host, args.port
    )
    app.run(settings.action_server_host, args.port, ssl=ssl, workers=rasa_sdk.utils.number_of_sanic_workers())


def run_rasa(argv: list[str]) -> None:
    import rasa.utils.io
    from rasa.__main__ import main as rasa_main

    from signpost.channels.inbound import MAX_REQUEST_BYTES
    from signpost.config import get_settings
    from signpost.resilience import install

    settings = get_settings()
    # Sanic reads SANIC_* variables when the app is made: bodies over the limit get 413.
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_REQUEST_BYTES))
    rasa.utils.io.configure_colored_logging = _logging(settings.log_level)
    install(
        settings.action_timeout_s,
        settings.action_circuit_open_s,
        settings.breaker_failures,
        settings.action_server_token,
    )
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
