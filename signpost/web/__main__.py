"""`python -m signpost.web [--host H] [--port P]`: serve the web front."""

from __future__ import annotations

import argparse
import sys

# spaCy's thinc imports TensorFlow if it is installed (Rasa needs it). The web
# front only uses a rule-based spaCy pipeline, so it goes without: seconds
# faster to start and hundreds of MB smaller.
sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]

from aiohttp import web  # noqa: E402

from signpost import logs, metrics  # noqa: E402
from signpost.config import get_settings  # noqa: E402
from signpost.web.app import create_app, handoffs_waiting  # noqa: E402
from signpost.web.base import CONFIG_KEY  # noqa: E402

# No client address, referrer or user agent in the access log: they identify people.
ACCESS_LOG_FORMAT = '"%r" %s %b %Tfs'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server, like Rasa's
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    settings = get_settings()
    logs.configure(settings.log_level, settings.log_format)
    app = create_app(settings)
    metrics.WEB.register(handoffs_waiting(app[CONFIG_KEY].engine))
    metrics.serve(metrics.WEB, settings.metrics_host, settings.web_metrics_port)
    web.run_app(app, host=args.host, port=args.port, access_log_format=ACCESS_LOG_FORMAT, print=None)


if __name__ == "__main__":
    main()
