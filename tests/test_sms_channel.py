"""The SMS webhook on the running server: signatures, keywords, options, privacy."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import TWILIO_TOKEN
from tests.tables import tables_mentioning

pytestmark = pytest.mark.servers


def new_number() -> str:
    return "+44 7700 9" + str(uuid.uuid4().int)[:5]


def post(
    servers, params: dict | None, token: str | None = TWILIO_TOKEN, tamper: bool = False, raw: bytes | None = None
):
    url = f"{servers.base}/webhooks/sms/webhook"
    params = params or {}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if token is not None:
        headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(url, params)
    if tamper:
        params = {**params, "Body": params.get("Body", "") + " and more"}
    data = raw if raw is not None else urllib.parse.urlencode(params).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def text(servers, number: str, body: str) -> str:
    status, xml = post(
        servers, {"From": number, "To": "+447700900000", "Body": body, "MessageSid": "SM" + uuid.uuid4().hex}
    )
    assert status == 200, xml
    found = re.search(r"<Message>(.*)</Message>", xml, re.S)
    return found.group(1) if found else ""


def test_signed_request_gets_twiml(servers):
    reply = text(servers, new_number(), "my head keeps pulling to the left and my neck aches")
    assert "Cervical dystonia" in reply and "neurologist" in reply
    assert len(reply) <= 1600 and "•" not in reply


@pytest.mark.parametrize("case", ["unsigned", "wrong token", "tampered"])
def test_bad_signatures_are_refused_and_nothing_is_stored(servers, case):
    number = new_number()
    params = {"From": number, "Body": "hello"}
    status, _ = post(
        servers,
        params,
        token=None if case == "unsigned" else ("nope" if case == "wrong token" else TWILIO_TOKEN),
        tamper=case == "tampered",
    )
    assert status == 403


def test_missing_fields_are_a_client_error(servers):
    assert post(servers, {"From": new_number()})[0] == 400
    assert post(servers, {"Body": "hi"})[0] == 400


def test_numbered_options_round_trip(servers):
    number = new_number()
    first = text(servers, number, "hello")
    assert "Reply 1 for Neck" in first
    asked = text(servers, number, "1")
    assert asked.startswith("What happens there?")
    assert "Cervical" in text(servers, number, "1")  # 1 = twisting or pulling


def test_stop_start_help(servers):
    number = new_number()
    assert "STOP" in text(servers, number, "HELP") and "020 7793 3650" in text(servers, number, "help")
    assert "START" in text(servers, number, "STOP")
    assert text(servers, number, "my neck twists") == ""
    assert text(servers, number, "stop") == "", "confirmed once only"
    assert "Welcome back" in text(servers, number, "Start")
    assert text(servers, number, "my neck twists") != ""


def test_red_flag_over_sms(servers):
    assert text(servers, new_number(), "cnt breathe").startswith("Call 999 now")


def test_no_raw_phone_number_anywhere(servers):
    number = "+44 7700 912345"
    text(servers, number, "my eyes keep blinking")
    text(servers, number, "1")
    needles = {"7700912345", "+447700912345", "07700912345", "7700 912345"}
    for needle in needles:
        assert tables_mentioning(servers.database_url, needle) == {}, needle
    for log in Path(servers.log_dir).glob("*.log"):
        content = log.read_text(errors="replace")
        assert not any(n in content for n in needles), log.name
