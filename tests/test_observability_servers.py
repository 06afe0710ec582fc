"""Metrics, JSON logs and readiness on the three running processes (LOG_FORMAT=json).

Its own servers, on their own ports (shifted by SIGNPOST_TEST_PORT_OFFSET like every
test server) with their metrics ports beside them, so the counters start from zero and
the logs hold only this module's conversation.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from scripts.runner import metrics_port, services, start_all, stop_all
from signpost.knowledge.content import Content
from signpost.logs import JSON_FIELDS
from tests.conftest import PORT_OFFSET, server_workspace
from tests.http import get, post_rest

pytestmark = pytest.mark.servers

RASA_PORT, ACTION_PORT, WEB_PORT = 5605 + PORT_OFFSET, 5655 + PORT_OFFSET, 8680 + PORT_OFFSET
METRICS = {
    "rasa": f"http://127.0.0.1:{metrics_port(RASA_PORT)}/metrics",
    "actions": f"http://127.0.0.1:{metrics_port(ACTION_PORT)}/metrics",
    "web": f"http://127.0.0.1:{metrics_port(WEB_PORT, web=True)}/metrics",
}
# What the person types: none of it may reach a log line.
DESCRIPTION = "my head keeps pulling to the left and my neck aches"
ASK_FOR_PERSON = "can I talk to a real person"
RED_FLAG = "he's choking"
REQUEST_ID = "obs" + uuid.uuid4().hex[:16]


@dataclass(frozen=True)
class Observed:
    base: str
    web: str
    log_dir: Path


@pytest.fixture(scope="module")
def observed(content: Content, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Observed]:
    tmp, url = server_workspace(tmp_path_factory, "observed", content)
    base, web = f"http://localhost:{RASA_PORT}", f"http://localhost:{WEB_PORT}"
    env = {"DATABASE_URL": url, "LOG_FORMAT": "json", "RASA_URL": base, "WEB_URL": web, "LOG_LEVEL": "INFO"}
    svcs = services(RASA_PORT, ACTION_PORT, log_dir=tmp, env=env, web_port=WEB_PORT)
    try:
        start_all(svcs)
        yield Observed(base, web, Path(tmp))
    finally:
        stop_all(svcs)


def samples(process: str) -> dict[tuple[str, frozenset], float]:
    """Every sample a process's /metrics shows: (name, labels) -> value."""
    status, text = get(METRICS[process])
    assert status == 200, process
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(process: str, name: str, **labels: str) -> float:
    return samples(process).get((name, frozenset(labels.items())), 0.0)


def total(process: str, name: str) -> float:
    return sum(v for (n, _), v in samples(process).items() if n == name)


def say(base: str, sender: str, message: str) -> list[dict]:
    reply = post_rest(base, json.dumps({"sender": sender, "message": message}).encode(), {"X-Request-ID": REQUEST_ID})
    assert reply.status == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]


def test_a_conversation_moves_the_counters_on_all_three_metrics_ports(observed):
    before = {
        "turns": value("rasa", "signpost_turns_total", channel="rest", outcome="answered"),
        "latency": value("rasa", "signpost_turn_seconds_count", channel="rest"),
        "red_flags": value("rasa", "signpost_red_flags_total", category="emergency"),
        "actions": total("actions", "signpost_action_calls_total"),
        "waiting": total("web", "signpost_handoffs_waiting"),
        "waiting_red_flag": value("web", "signpost_handoffs_waiting", reason="red_flag"),
    }
    assert value("rasa", "signpost_action_server_breaker", signpost_action_server_breaker="closed") == 1
    sender = uuid.uuid4().hex
    for message in (DESCRIPTION, ASK_FOR_PERSON, RED_FLAG):
        say(observed.base, sender, message)

    assert value("rasa", "signpost_turns_total", channel="rest", outcome="answered") == before["turns"] + 3
    assert value("rasa", "signpost_turn_seconds_count", channel="rest") == before["latency"] + 3
    assert value("rasa", "signpost_red_flags_total", category="emergency") == before["red_flags"] + 1
    assert total("actions", "signpost_action_calls_total") > before["actions"]
    assert value("actions", "signpost_action_calls_total", action="action_handoff", outcome="ok") >= 1
    # one queue entry: asked for a person, then raised to a red flag by the emergency
    assert total("web", "signpost_handoffs_waiting") == before["waiting"] + 1
    assert value("web", "signpost_handoffs_waiting", reason="red_flag") == before["waiting_red_flag"] + 1
    status, _ = get(f"{observed.web}/health")
    assert status == 200 and value("web", "signpost_web_requests_total", route="/health", status="200") >= 1


def test_metrics_are_never_on_the_public_ports(observed):
    for url in (observed.base, observed.web, f"http://localhost:{ACTION_PORT}"):
        status, _ = get(f"{url}/metrics")
        assert status != 200, url


@pytest.mark.parametrize("url", [f"http://localhost:{RASA_PORT}", f"http://localhost:{ACTION_PORT}",
                                 f"http://localhost:{WEB_PORT}"])  # fmt: skip
def test_every_process_is_ready_with_its_model_and_database(observed, url):
    status, body = get(f"{url}/ready")
    assert status == 200, body
    answer = json.loads(body)
    assert answer["status"] == "ready" and set(answer["checks"].values()) == {"ok"}
    assert ("model" in answer["checks"]) == (url.endswith(str(RASA_PORT)))


def test_json_logs_are_one_object_per_line_without_what_people_typed(observed):
    say(observed.base, uuid.uuid4().hex, DESCRIPTION)  # so the logs hold a turn even if run alone
    seen_request_id = set()
    for name in ("rasa", "actions", "web"):
        lines = (observed.log_dir / f"{name}.log").read_text().splitlines()
        assert lines, name
        for line in lines:
            record = json.loads(line)  # every line, the libraries' too
            assert isinstance(record, dict) and set(record) <= set(JSON_FIELDS), line
            assert {"timestamp", "level", "logger", "request_id", "message"} <= set(record), line
            for typed in (DESCRIPTION, ASK_FOR_PERSON, RED_FLAG, "pulling to the left", "real person", "choking"):
                assert typed not in line, (name, line)
            if record["request_id"] == REQUEST_ID:
                seen_request_id.add(name)
    assert {"rasa", "actions"} <= seen_request_id
