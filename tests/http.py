"""Small HTTP helpers for the tests that talk to the running servers."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@dataclass(frozen=True)
class Reply:
    status: int
    text: str
    headers: dict[str, str]
    seconds: float

    def json(self) -> Any:
        return json.loads(self.text)


def post_rest(base: str, body: bytes, headers: dict[str, str] | None = None, timeout: float = 30) -> Reply:
    """POST `body` to the REST channel; any status comes back as a Reply, not an exception."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    request = urllib.request.Request(f"{base}/webhooks/rest/webhook", body, all_headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return Reply(r.status, r.read().decode(), dict(r.headers), time.monotonic() - started)
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read().decode(), dict(e.headers), time.monotonic() - started)


def say(base: str, sender: str, message: str) -> list[dict[str, Any]]:
    reply = post_rest(base, json.dumps({"sender": sender, "message": message}).encode())
    assert reply.status == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]
