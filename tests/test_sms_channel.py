"""The SMS webhook on the running server: signatures, keywords, options, privacy, limits, replays."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text as sqltext
from twilio.request_validator import RequestValidator

from signpost.config import get_settings
from signpost.conversations.sms_records import LoopLimits
from signpost.language.sms_text import conversation_id
from signpost.storage.engine import make_engine
from tests.conftest import SMS_SECRET, TWILIO_TOKEN
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


def signed_text(servers, number: str, body: str, sid: str) -> str:
    """The raw TwiML answer to one signed message with a given MessageSid."""
    status, xml = post(servers, {"From": number, "To": "+447700900000", "Body": body, "MessageSid": sid})
    assert status == 200, xml
    return xml


def scalar(servers, query: str, **params) -> int:
    engine = make_engine(servers.database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sqltext(query), params).scalar() or 0)
    finally:
        engine.dispose()


def events_of(servers, number: str) -> int:
    cid = conversation_id(SMS_SECRET, number)
    return scalar(servers, "select count(*) from events where sender_id = :cid", cid=cid)


def test_a_replayed_message_sid_is_answered_from_the_cache_without_a_turn(servers):
    number, sid = new_number(), "SM" + uuid.uuid4().hex
    first = signed_text(servers, number, "my eyes keep blinking shut", sid)
    stored = events_of(servers, number)
    assert "<Message>" in first and stored > 0
    for _ in range(2):  # the provider's retries: the same signed request
        assert signed_text(servers, number, "my eyes keep blinking shut", sid) == first
    assert events_of(servers, number) == stored, "the turn did not run again"
    assert text(servers, number, "my eyes keep blinking shut") and events_of(servers, number) > stored


def test_beyond_the_daily_reply_cap_only_red_flags_are_answered(servers):
    number = new_number()
    cid = conversation_id(SMS_SECRET, number)
    cap = get_settings().sms_daily_replies
    assert text(servers, number, "my neck twists")
    # As if the number had been answered cap - 1 times today: one more reply, then none.
    engine = make_engine(servers.database_url)
    with engine.begin() as conn:
        conn.execute(
            sqltext("update sms_traffic set replies = :n where conversation_id = :cid"), {"n": cap - 1, "cid": cid}
        )
    engine.dispose()
    assert text(servers, number, "it pulls to the left") != ""
    assert text(servers, number, "and it aches") == ""
    assert text(servers, number, "HELP") == ""
    assert text(servers, number, "cnt breathe").startswith("Call 999 now")
    counted = "select replies from sms_traffic where conversation_id = :cid"
    assert scalar(servers, counted, cid=cid) == cap + 1


def test_a_bot_texting_back_the_same_words_gets_no_reply_for_a_while(servers):
    number = new_number()
    auto_reply = "Thanks for your message. This mailbox is not monitored."
    replies = [text(servers, number, auto_reply) for _ in range(LoopLimits().repeats + 1)]
    assert all(replies[: LoopLimits().repeats - 1]) and replies[LoopLimits().repeats - 1 :] == ["", ""]
    assert text(servers, number, "my hand cramps") == "", "silent for the cool-down"
    assert text(servers, number, "cnt breathe").startswith("Call 999 now"), "except for red flags"
    logs = "".join(log.read_text(errors="replace") for log in Path(servers.log_dir).glob("*.log"))
    assert "sms loop guard: no replies to this conversation" in logs and "mailbox is not monitored" not in logs


def test_after_stop_a_red_flag_reaches_the_helpline_queue_with_no_reply(servers):
    number = new_number()
    cid = conversation_id(SMS_SECRET, number)
    queued = "select count(*) from conv_handoffs where conversation_id = :cid and reason = 'red_flag'"
    assert "START" in text(servers, number, "STOP")
    assert text(servers, number, "my neck twists") == ""
    assert scalar(servers, queued, cid=cid) == 0
    assert text(servers, number, "cnt breathe") == ""
    assert scalar(servers, queued + " and red_flag = 'emergency' and channel = 'sms'", cid=cid) == 1
    assert events_of(servers, number) == 0, "no turn ran"
