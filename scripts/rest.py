"""A tiny REST-channel client shared by the evaluation and benchmark scripts."""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any

RASA_URL = os.environ.get("RASA_URL", "http://localhost:5005")
WEBHOOK = f"{RASA_URL}/webhooks/rest/webhook"


def send(sender: str, message: str, timeout: float = 30, webhook: str = WEBHOOK) -> list[dict[str, Any]]:
    """POST one message to a REST webhook (ours unless `webhook` names another bot's)."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(webhook, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - local URL
        return list(json.load(response))
