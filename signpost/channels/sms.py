"""SMS channel: Twilio-compatible inbound webhook answered synchronously with TwiML.

POST /webhooks/sms/webhook with Twilio's form fields (From, To, Body, ...).
Every request must carry a valid X-Twilio-Signature for TWILIO_AUTH_TOKEN and
SMS_PUBLIC_URL; otherwise 403 and nothing is processed or stored. The phone
number is replaced by a keyed hash before anything else sees it.

Keywords: STOP (and Twilio's other opt-out words) confirms once and then
silences the conversation until START; HELP says what the service is;
PRIVACY says what is kept (FORGET ME goes through the dialogue, which asks
first). Numbered replies ("1", "2") map back to the last options sent. The
first reply of a conversation ends with the one-line privacy notice.
"""

from __future__ import annotations

import logging
import re
import secrets
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional
from urllib.parse import parse_qs

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from signpost.channels import sms_state
from signpost.channels.inbound import clean_message
from signpost.channels.sms_text import MAX_REPLY_CHARS, OptionWords, conversation_id, render, twiml
from signpost.channels.turn import privacy_text, take_turn
from signpost.config import VAR_DIR, Settings, get_settings
from signpost.knowledge.db import engine_for
from signpost.knowledge.seed import create_schema_retrying
from signpost.logs import start_request
from signpost.responses import variant_text

logger = logging.getLogger(__name__)

STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}
START_WORDS = {"start", "unstop"}
HELP_WORDS = {"help", "info"}
PRIVACY_WORDS = {"privacy"}
MAX_INBOUND_CHARS = 1600
XML = "application/xml"


class SmsOutput(CollectingOutputChannel):
    """Collects the bot's messages; its name selects `channel: sms` response variants."""

    @classmethod
    def name(cls) -> str:
        return "sms"


def local_secret(directory: Path = VAR_DIR) -> bytes:
    """A secret generated once for this installation, when SMS_ID_SECRET is not set."""
    path = directory / "sms_id_secret"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


class SmsInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> SmsInput:
        settings = get_settings()
        secret = settings.sms_id_secret.encode() if settings.sms_id_secret else local_secret()
        return cls(settings, secret)

    def __init__(self, settings: Settings, secret: bytes) -> None:
        self.settings = settings
        self.validator = RequestValidator(settings.twilio_auth_token) if settings.twilio_auth_token else None
        self.public_url = settings.sms_public_url
        self.secret = secret
        self.engine = engine_for(settings.database_url)
        create_schema_retrying(self.engine)
        if self.validator is None:
            logger.warning("TWILIO_AUTH_TOKEN is not set: every SMS request will be refused")

    def signed(self, request: Request, params: dict[str, str]) -> bool:
        signature = request.headers.get("X-Twilio-Signature")
        if self.validator is None or not signature:
            return False
        return bool(self.validator.validate(self.public_url or request.url, params, signature))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sms = Blueprint("sms_webhook", __name__)

        @sms.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sms.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            request_id = start_request(
                request.headers.get("X-Request-ID") or request.headers.get("I-Twilio-Idempotency-Token")
            )
            try:  # blank values kept: Twilio signs every field, an empty Body too
                form = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
            except (UnicodeDecodeError, ValueError):
                return response.text("Bad request: send Twilio's form fields", status=400)
            params = {k: v[0] for k, v in form.items()}
            if not self.signed(request, params):
                return response.text("Forbidden", status=403)
            if "Body" not in params or not params.get("From"):
                return response.text("Bad request: From and Body are required", status=400)
            cid = conversation_id(self.secret, params["From"])
            body = await self.handle(request, cid, params["Body"], request_id, on_new_message)
            return response.text(twiml(body), content_type=XML)

        return sms

    async def handle(
        self,
        request: Request,
        cid: str,
        text: str,
        request_id: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> str | None:
        """The reply body for one inbound text, or None to send nothing."""
        word = re.sub(r"[^a-z]", "", text.lower())
        with Session(self.engine, future=True) as session, session.begin():
            if word in STOP_WORDS:
                if sms_state.is_opted_out(session, cid):
                    return None
                sms_state.opt_out(session, cid)
                return self.domain_text(request, "utter_sms_stopped")
            if word in START_WORDS:
                sms_state.opt_in(session, cid)
                return self.domain_text(request, "utter_sms_started")
            if sms_state.is_opted_out(session, cid):
                return None
            if word in HELP_WORDS:
                return self.domain_text(request, "utter_sms_help")
            if word in PRIVACY_WORDS:
                return privacy_text(self.responses(request), "utter_sms_privacy", self.name(), self.settings)
            payload = sms_state.option_payload(session, cid, text)
        inbound = clean_message(payload or text, MAX_INBOUND_CHARS)
        collector = SmsOutput()
        message = UserMessage(inbound.text or " ", collector, cid, input_channel=self.name(), message_id=request_id)
        after = await take_turn(
            on_new_message, message, inbound.cut, self.engine, self.responses(request), self.settings
        )
        collector.messages.extend({"text": text} for text in after)
        words = OptionWords(
            self.domain_text(request, "utter_sms_options"), self.domain_text(request, "utter_sms_option")
        )
        reply = render(collector.messages, words, MAX_REPLY_CHARS)
        with Session(self.engine, future=True) as session, session.begin():
            sms_state.save_options(session, cid, reply.options)
        logger.info("sms turn: %d message(s) out", len(collector.messages))
        return reply.body

    @staticmethod
    def responses(request: Request) -> Dict[str, Any]:
        return request.app.ctx.agent.domain.responses  # type: ignore[no-any-return]

    def domain_text(self, request: Request, name: str) -> str:
        """A response's text from the loaded model's domain, preferring the sms variant."""
        return variant_text(self.responses(request), name, SmsOutput.name())
