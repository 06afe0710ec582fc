"""Start the Rasa server or the action server with our logging and resilience installed.

    python -m signpost.serve run --model models/signpost.tar.gz [rasa run options]
    python -m signpost.serve run actions --actions actions [rasa run actions options]

Used by `make run`, the tests and the benchmarks instead of plain `rasa run`.
Both servers log in the request-id format of signpost.logs instead of Rasa's
coloured default.
"""

from __future__ import annotations

import sys
from typing import Any


def main() -> None:
    import rasa.utils.io
    import rasa_sdk.utils
    from rasa.__main__ import main as rasa_main

    from signpost import logs
    from signpost.config import get_settings
    from signpost.resilience import install

    settings = get_settings()

    def configure_logging(level: Any = None) -> None:
        logs.configure(level or settings.log_level)

    rasa.utils.io.configure_colored_logging = configure_logging
    rasa_sdk.utils.configure_colored_logging = configure_logging
    install(settings.action_timeout_s, settings.action_circuit_open_s)
    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
