"""Log lines: text or one JSON object per line, with the request id and nothing else a
record carries (Sanic's client address, a library's extras)."""

from __future__ import annotations

import json
import logging
import warnings
from typing import Iterator

import pytest

from signpost import logs
from signpost.config import get_settings


@pytest.fixture
def root_restored() -> Iterator[None]:
    """configure() replaces the root handlers (pytest's too): put them back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    library = {name: (list(logging.getLogger(name).handlers), logging.getLogger(name).propagate)
               for name in logs.LIBRARY_LOGGERS}  # fmt: skip
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, (old, propagate) in library.items():
        logging.getLogger(name).handlers[:] = old
        logging.getLogger(name).propagate = propagate
    logging.captureWarnings(False)


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_json_lines_carry_the_fields_and_the_request_id(root_restored, capsys):
    logs.configure("INFO", "json")
    logs.REQUEST_ID.set("-")
    logging.getLogger("signpost.test").info("turn: %d message(s) out", 2)
    request_id = logs.start_request("abcdef123456")
    logging.getLogger("rasa.core.processor").warning("something Rasa says")
    records = lines(capsys.readouterr().err)
    assert [list(r) for r in records] == [["timestamp", "level", "logger", "request_id", "message"]] * 2
    assert records[0]["request_id"] is None and records[1]["request_id"] == request_id
    assert records[0]["message"] == "turn: 2 message(s) out" and records[0]["level"] == "INFO"
    assert records[1]["logger"] == "rasa.core.processor" and records[0]["timestamp"].endswith("+00:00")


def test_extras_never_reach_a_json_line(root_restored, capsys):
    """What a library attaches to a record (here the user's text and a client address) is left out."""
    logs.configure("INFO", "json")
    logging.getLogger("some.library").info("handled", extra={"text": "my neck twists", "client": "203.0.113.9"})
    (record,) = lines(capsys.readouterr().err)
    assert record["message"] == "handled"
    assert "my neck" not in json.dumps(record) and "203.0.113.9" not in json.dumps(record)


def test_sanics_loggers_and_warnings_go_through_the_same_handler(root_restored, capsys):
    access = logging.getLogger("sanic.access")
    access.addHandler(logging.StreamHandler())  # as Sanic's own configuration does
    access.propagate = False
    logs.configure("INFO", "json")
    access.info("", extra={"host": "203.0.113.9:5555", "request": "POST /webhooks/rest/webhook", "status": 200,
                           "byte": 120})  # fmt: skip
    logging.getLogger("sanic.error").error("Exception occurred while handling uri")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("something is deprecated", DeprecationWarning, stacklevel=1)
    out = capsys.readouterr()
    records = lines(out.err)  # every line is JSON: none is in Sanic's format
    assert out.out == ""
    assert [r["logger"] for r in records] == ["sanic.access", "sanic.error", "py.warnings"]
    assert records[0]["message"] == "POST /webhooks/rest/webhook 200 120"
    assert "203.0.113.9" not in out.err


def test_exceptions_come_as_one_field_of_one_line(root_restored, capsys):
    logs.configure("INFO", "json")
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("signpost.test").exception("failed (%s)", "ValueError")
    (record,) = lines(capsys.readouterr().err)
    assert record["message"] == "failed (ValueError)" and record["exc_info"].startswith("Traceback")


def test_text_stays_the_default(root_restored, capsys):
    logs.configure("INFO")
    logs.start_request("abcdef123456")
    logging.getLogger("signpost.test").info("hello")
    line = capsys.readouterr().err.strip()
    assert line.endswith("INFO signpost.test [req=abcdef123456] hello")


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(("value", "expected"), [("JSON", "json"), ("text", "text"), ("", "text"), ("xml", None)])
def test_log_format_is_read_and_checked(fresh_settings, monkeypatch, value, expected):
    monkeypatch.setenv("LOG_FORMAT", value)
    if expected is None:
        with pytest.raises(ValueError, match="LOG_FORMAT"):
            get_settings()
    else:
        assert get_settings().log_format == expected
