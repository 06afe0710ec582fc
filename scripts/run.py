"""`make run`: start the action server and the Rasa server, print the URLs, stop on Ctrl-C."""

from __future__ import annotations

import logging

from signpost.runner import services, start_all, stop_all, supervise


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    svcs = services()
    try:
        start_all(svcs)
        print(
            "\nThe assistant is running:\n"
            "  Website widget http://localhost:8080/  (demo page with the chat widget)\n"
            "  Staff console  http://localhost:8080/staff/  (python -m signpost staff add-user NAME)\n"
            "  Privacy notice http://localhost:8080/privacy\n"
            "  REST channel   POST http://localhost:5005/webhooks/rest/webhook\n"
            "  SMS channel    POST http://localhost:5005/webhooks/sms/webhook\n"
            "  Rasa server    http://localhost:5005/\n"
            "  Action server  http://localhost:5055/health\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        supervise(svcs)
    finally:
        stop_all(svcs)


if __name__ == "__main__":
    main()
