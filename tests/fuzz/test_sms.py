"""The SMS webhook (POST /webhooks/sms/webhook) under arbitrary form fields, signed and unsigned."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from typing import Callable, Optional

import pytest
import requests
from hypothesis import assume, given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from tests.conftest import TWILIO_TOKEN
from tests.fuzz.checks import apology, assert_answered, fuzz, rasa_alive
from tests.fuzz.strategies import CONTENT_TYPES, HEADER_VALUES, PRINTABLE, WORDS, form_encode, garbage_bodies, texts

pytestmark = pytest.mark.servers

FIELDS = ("From", "To", "Body", "MessageSid")
APOLOGY = apology()


class Fresh:
    """Stands for a value made new for each request (a new number or MessageSid), so that one
    example does not meet another's conversation, replay cache or loop guard."""

    def __init__(self, make: Callable[[], str]) -> None:
        self.make = make

    def __repr__(self) -> str:
        return "<fresh>"


ORDINARY = {
    "From": st.just(Fresh(lambda: f"+4477009{uuid.uuid4().int % 100_000:05d}")),
    "To": st.just("+447700900000"),
    "Body": WORDS,
    "MessageSid": st.just(Fresh(lambda: f"SM{uuid.uuid4().hex}")),
}
# Each Twilio field is missing, an ordinary value, or anything at all; and a few extra fields.
FIELD_VALUES = st.fixed_dictionaries({}, optional={name: st.one_of(ORDINARY[name], texts()) for name in FIELDS})
EXTRA = st.dictionaries(
    st.one_of(st.sampled_from(["AccountSid", "NumMedia", "SmsStatus"]), texts(12)), texts(), max_size=3
)


def filled(fields: dict[str, object], extra: dict[str, str]) -> dict[str, str]:
    return {**extra, **{k: v.make() if isinstance(v, Fresh) else str(v) for k, v in fields.items()}}


SIGNATURES = st.one_of(st.none(), st.text(PRINTABLE, max_size=40), HEADER_VALUES)


def url(servers) -> str:
    return f"{servers.base}/webhooks/sms/webhook"


def sign(address: str, params: dict[str, str]) -> str:
    """Twilio's signature; for values with lone surrogates, over the bytes a careless client sends."""
    try:
        return str(RequestValidator(TWILIO_TOKEN).compute_signature(address, params))
    except UnicodeEncodeError:
        text = address + "".join(k + params[k] for k in sorted(params))
        mac = hmac.new(TWILIO_TOKEN.encode(), text.encode("utf-8", "surrogatepass"), hashlib.sha1)
        return base64.b64encode(mac.digest()).decode()


def send(servers, body: bytes, signature: Optional[str], content_type: str) -> requests.Response:
    assume(rasa_alive())  # once a request has killed the server, later examples show nothing new
    headers = {"Content-Type": content_type}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    try:
        return requests.post(url(servers), data=body, headers=headers, timeout=30)
    except requests.RequestException as exc:
        raise AssertionError(
            f"no answer ({type(exc).__name__}); the Rasa server is {'up' if rasa_alive() else 'DEAD'}"
        ) from exc


FORM = "application/x-www-form-urlencoded"


@fuzz(3)
@given(fields=FIELD_VALUES, extra=EXTRA)
def test_signed_forms(servers, fields, extra):
    params = filled(fields, extra)
    response = send(servers, form_encode(list(params.items())), sign(url(servers), params), FORM)
    assert_answered(response.status_code, response.text)
    assert APOLOGY not in response.text, response.text[:300]


@fuzz()
@given(fields=FIELD_VALUES, extra=EXTRA, signature=SIGNATURES)
def test_unsigned_forms_are_refused(servers, fields, extra, signature):
    params = filled(fields, extra)
    response = send(servers, form_encode(list(params.items())), signature, FORM)
    assert_answered(response.status_code, response.text)
    assert response.status_code in (400, 403, 413), f"{response.status_code}: {response.text[:300]}"


@fuzz()
@given(raw=garbage_bodies("Body"), signed=st.booleans(), content_type=st.one_of(st.just(FORM), CONTENT_TYPES))
def test_garbage_bodies(servers, raw, signed, content_type):
    response = send(servers, raw, sign(url(servers), {}) if signed else None, content_type)
    assert_answered(response.status_code, response.text)
    assert response.status_code != 200 or "<Response" in response.text, response.text[:300]
