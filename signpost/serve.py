"""Start the Rasa server with the resilience wrapper installed.

    python -m signpost.serve run --model models/signpost.tar.gz [rasa run options]

Used by `make run`, the tests and the benchmarks instead of plain `rasa run`.
"""

from __future__ import annotations

import sys


def main() -> None:
    from rasa.__main__ import main as rasa_main

    from signpost.config import get_settings
    from signpost.resilience import install

    settings = get_settings()
    install(settings.action_timeout_s, settings.action_circuit_open_s)
    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
