"""`make run`: start the action server and the Rasa server, print the URLs, stop on Ctrl-C.

With LOG_FORMAT=json the supervisor's own lines, the list of URLs included, are JSON
objects like the servers' lines, so the whole output is one object per line.
"""

from __future__ import annotations

import logging

from scripts.runner import services, start_all, stop_all, supervise
from signpost import logs
from signpost.config import get_settings

BANNER = (
    "\nThe assistant is running:\n"
    "  Website widget http://localhost:8080/  (demo page with the chat widget)\n"
    "  Staff console  http://localhost:8080/staff/  (python -m signpost staff add-user NAME)\n"
    "  Privacy notice http://localhost:8080/privacy\n"
    "  REST channel   POST http://localhost:5005/webhooks/rest/webhook\n"
    "  SMS channel    POST http://localhost:5005/webhooks/sms/webhook\n"
    "  Rasa server    http://localhost:5005/\n"
    "  Action server  http://localhost:5055/health\n"
    "Press Ctrl-C to stop.\n"
)


def main() -> None:
    settings = get_settings()
    logs.configure(settings.log_level, settings.log_format)
    svcs = services()
    try:
        start_all(svcs)
        if settings.log_format == "json":
            logging.getLogger("signpost.run").info(BANNER.strip())
        else:
            print(BANNER, flush=True)
        supervise(svcs)
    finally:
        stop_all(svcs)


if __name__ == "__main__":
    main()
