"""Start the Rasa server or the action server with our logging and limits installed.

    python -m signpost.serve run --model models/signpost.tar.gz [rasa run options]
    python -m signpost.serve run actions --actions actions [rasa-sdk options]

Used by `make run`, the tests, the benchmarks and the container images instead of
`rasa run`. Both servers log in the request-id format of signpost.logs instead
of Rasa's coloured default. The action server runs on rasa-sdk alone, without
importing Rasa (and TensorFlow), which keeps it small.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable


def _logging(level_default: str) -> Callable[..., None]:
    from signpost import logs

    def configure_logging(level: Any = None) -> None:
        logs.configure(level or level_default)

    return configure_logging


def run_action_server(argv: list[str]) -> None:
    import rasa_sdk.utils
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    from signpost.config import get_settings

    rasa_sdk.utils.configure_colored_logging = _logging(get_settings().log_level)
    main_from_args(create_argument_parser().parse_args(argv))


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
    install(settings.action_timeout_s, settings.action_circuit_open_s)
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
