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

Limits (signpost.conversations.sms_records): at most SMS_DAILY_REPLIES replies per
number per UTC day, and a loop guard that stops replying for a while to a
number that looks like another machine answering us. A red flag is always
answered; after STOP it gets no reply but still reaches the helpline queue.
Each MessageSid's reply is kept for 24 hours, so a provider's retry of the same
message gets the same TwiML without the turn running again.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Optional
from urllib.parse import parse_qs

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from signpost import metrics
from signpost.config import Settings, get_settings, installation_secret
from signpost.conversations import callbacks, live, sms_records
from signpost.conversations.repository import open_handoff
from signpost.conversations.sms_records import LoopLimits, Traffic, Verdict
from signpost.language.red_flags import Detection, default_detector
from signpost.language.sms_text import (
    MAX_REPLY_CHARS,
    OptionWords,
    conversation_id,
    message_key,
    more_part,
    normalise_phone,
    render,
    segments,
    text_digest,
    to_gsm,
    twiml,
)
from signpost.logs import start_request
from signpost.rasa_plugins.channels.base import ProjectChannel
from signpost.rasa_plugins.channels.helpline import end_human_chat
from signpost.rasa_plugins.channels.inbound import clean_message
from signpost.rasa_plugins.channels.privacy_notice import privacy_text
from signpost.rasa_plugins.channels.take_turn import take_turn
from signpost.responses import Responses, variant_text
from signpost.schema import create_schema_retrying

logger = logging.getLogger(__name__)

STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}
START_WORDS = {"start", "unstop"}
HELP_WORDS = {"help", "info"}
PRIVACY_WORDS = {"privacy"}
MORE_WORDS = {"more"}  # the rest of a reply longer than three texts
YES_WORDS, NO_WORDS = {"yes", "y", "yeah", "yep", "ok"}, {"no", "n", "nope"}  # to "may we text you back?"
CALLBACK_MARK = "sms_callback"  # custom payload of the handoff's question (actions/handoff.py)
MAX_INBOUND_CHARS = 1600
XML = "application/xml"
# A retry that arrives while the first request's turn is still running waits this long for its reply.
REPLAY_WAIT_S = 10.0
REPLAY_POLL_S = 0.25


@dataclass(frozen=True)
class Early:
    """What is decided before a turn: a reply with no turn (`done`), or the turn's input."""

    done: bool
    reply: str | None = None
    payload: str | None = None  # what a numbered reply stands for


def red_flag(text: str) -> Detection | None:
    """The deterministic red-flag detection of an inbound text, if it is a red flag."""
    found = default_detector().detect(text)
    return found if found is not None and found.is_red_flag else None


class SmsOutput(CollectingOutputChannel):
    """Collects the bot's messages; its name selects `channel: sms` response variants."""

    @classmethod
    def name(cls) -> str:
        return "sms"


class SmsInput(ProjectChannel, InputChannel):
    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> SmsInput:
        settings = get_settings()
        secret = (settings.sms_id_secret or installation_secret("sms_id_secret")).encode()
        limits = LoopLimits(
            repeats=settings.sms_loop_repeats,
            per_minute=settings.sms_loop_per_minute,
            quiet_for=settings.sms_loop_quiet,
        )
        return cls(settings, secret, limits)

    def __init__(self, settings: Settings, secret: bytes, loop_limits: LoopLimits = LoopLimits()) -> None:
        self.settings = settings
        self.loop_limits = loop_limits
        self.validator = RequestValidator(settings.twilio_auth_token) if settings.twilio_auth_token else None
        self.public_url = settings.sms_public_url
        self.secret = secret
        create_schema_retrying(self.engine)
        if self.validator is None:
            logger.warning("TWILIO_AUTH_TOKEN is not set: every SMS request will be refused")

    def signed(self, request: Request, params: dict[str, str]) -> bool:
        signature = request.headers.get("X-Twilio-Signature")
        if self.validator is None or not signature:
            return False
        return bool(self.validator.validate(self.public_url or request.url, params, signature))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sms = self.blueprint_with_health("sms_webhook")

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
            sid = params.get("MessageSid")
            key = message_key(self.secret, sid, cid, params["Body"]) if sid else None
            body = await self.answer(
                request, cid, params["Body"], key, request_id, on_new_message, phone=params["From"]
            )
            if body:
                metrics.count_sms_segments(segments(body))
            return response.text(twiml(body), content_type=XML)

        return sms

    async def answer(
        self,
        request: Request,
        cid: str,
        text: str,
        key: str | None,
        request_id: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        phone: str | None = None,
    ) -> str | None:
        """The reply to one inbound message: from the replay cache when its MessageSid
        (`key`, hashed) was answered before, else from `handle`, then kept in the cache."""
        if key is not None:
            replayed, cached = await self.replayed(key, cid)
            if replayed:
                logger.info("sms message seen before: answered from the cache")
                return cached
        try:
            body, options = await self.handle(request, cid, text, request_id, on_new_message, phone=phone)
        except BaseException:
            if key is not None:
                try:  # a retry runs the turn again
                    await self.in_database(sms_records.release_message, key)
                except Exception as exc:  # noqa: BLE001 - the first failure is the one to report
                    logger.warning("could not release an sms message claim (%s)", type(exc).__name__)
            raise
        if options is not None or key is not None:
            await self.in_database(self.after_turn, cid, key, body, options)
        return body

    @staticmethod
    def take_waiting_replies(session: Session, cid: str) -> list[str]:
        """The worker's replies not delivered yet, marked delivered."""
        waiting = live.undelivered(session, cid)
        live.mark_delivered(session, [r.id for r in waiting])
        return [str(r.text) for r in waiting]

    @staticmethod
    def after_turn(
        session: Session, cid: str, key: str | None, body: str | None, options: dict[str, str] | None
    ) -> None:
        """Keep the numbered options sent (None: leave them) and the answer to a MessageSid."""
        if options is not None:
            sms_records.save_options(session, cid, options)
        if key is not None:
            sms_records.record_answer(session, key, body)

    async def replayed(self, key: str, cid: str) -> tuple[bool, str | None]:
        """(True, the reply) for a message answered before; (False, None) once this request
        has claimed the message and must answer it.

        A copy arriving while the first is still being answered waits for that answer
        (at most REPLAY_WAIT_S, then it gets an empty answer rather than a second turn).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REPLAY_WAIT_S
        while True:
            try:
                found = await self.in_database(self.claim, key, cid)
            except IntegrityError:  # another request claimed it at the same moment
                found = (False, None)
            if found is None:
                return False, None
            answered, reply = found
            if answered:
                return True, reply
            if loop.time() >= deadline:
                logger.warning("sms message still being answered after %.0f s: empty answer", REPLAY_WAIT_S)
                return True, None
            await asyncio.sleep(REPLAY_POLL_S)

    @staticmethod
    def claim(session: Session, key: str, cid: str) -> tuple[bool, str | None] | None:
        row = sms_records.claim_message(session, key, cid)
        return None if row is None else (bool(row.answered), row.reply)

    async def handle(
        self,
        request: Request,
        cid: str,
        text: str,
        request_id: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        phone: str | None = None,
    ) -> tuple[str | None, dict[str, str] | None]:
        """The reply body for one inbound text (None to send nothing), and the numbered
        options it offers (None when no turn ran, or a limit refused it)."""
        responses = self.responses_of(request.app)
        try:
            early = await asyncio.to_thread(self.before_turn, responses, cid, text, phone)
        except IntegrityError:  # the number's first rows, written by two messages at once
            early = await asyncio.to_thread(self.before_turn, responses, cid, text, phone)
        if early.done:
            if re.sub(r"[^a-z]", "", text.lower()) in STOP_WORDS:  # STOP also ends a chat with a worker
                try:
                    await end_human_chat(request.app.ctx.agent, cid)
                except Exception as exc:  # noqa: BLE001 - the opt-out itself is already recorded
                    logger.warning("could not end a helpline chat after STOP (%s)", type(exc).__name__)
            return early.reply, None
        inbound = clean_message(early.payload or text, MAX_INBOUND_CHARS)
        if not inbound.text:  # a blank text: say what the service is (Rasa's NLU fails on no words)
            return variant_text(responses, "utter_sms_help", self.name()), None
        collector = SmsOutput()
        message = UserMessage(inbound.text, collector, cid, input_channel=self.name(), message_id=request_id)
        outcome = await take_turn(on_new_message, message, inbound.cut, self.engine, responses, self.settings)
        collector.messages.extend({"text": line} for line in outcome.after)
        # A helpline worker's replies that could not be texted go out first, with this answer.
        waiting = await self.in_database(self.take_waiting_replies, cid)
        if waiting:
            line = variant_text(responses, "utter_helpline_reply_sms", self.name())
            collector.messages[:0] = [{"text": line.format(text=text)} for text in waiting]
        asked = any((m.get("custom") or {}).get(CALLBACK_MARK) == "ask" for m in collector.messages)
        words = OptionWords(
            variant_text(responses, "utter_sms_options", self.name()),
            variant_text(responses, "utter_sms_option", self.name()),
        )
        more_line = variant_text(responses, "utter_sms_more", self.name())
        reply = render(collector.messages, words, MAX_REPLY_CHARS, more_line=more_line)
        logger.info("sms turn: %d message(s) out", len(collector.messages))
        # A refused turn leaves the options that were sent before.
        options = {**reply.options, sms_records.MORE_KEY: reply.rest} if reply.rest else dict(reply.options)
        if asked:  # "may a worker text you back?" waits for YES or NO
            options[sms_records.CALLBACK_KEY] = "ask"
        return reply.body, options if outcome.refused is None else None

    def before_turn(self, responses: Responses, cid: str, text: str, phone: str | None = None) -> Early:
        """Keywords, opt-outs and limits: everything decided without running a turn."""
        word = re.sub(r"[^a-z]", "", text.lower())
        flag = red_flag(text)
        with Session(self.engine, future=True) as session, session.begin():
            if word in STOP_WORDS:
                if sms_records.is_opted_out(session, cid):
                    return Early(True)
                sms_records.opt_out(session, cid)
                return Early(True, variant_text(responses, "utter_sms_stopped", self.name()))
            if word not in START_WORDS and sms_records.is_opted_out(session, cid):
                if flag is not None:  # no reply after STOP, but the helpline still hears of it
                    open_handoff(session, cid, self.name(), reason="red_flag", red_flag=flag.category)
                    logger.info("sms red flag (%s) after STOP: queued for the helpline, no reply", flag.category)
                return Early(True)
            digest = text_digest(self.secret, text)
            cap = self.settings.sms_daily_replies
            traffic, verdict = sms_records.note_inbound(session, cid, digest, cap, self.loop_limits, flag is not None)
            if verdict is not Verdict.REPLY:
                self.log_held(verdict, traffic)
                return Early(True)
            if word in START_WORDS:
                sms_records.opt_in(session, cid)
                return Early(True, variant_text(responses, "utter_sms_started", self.name()))
            if word in HELP_WORDS:
                return Early(True, variant_text(responses, "utter_sms_help", self.name()))
            if word in PRIVACY_WORDS:
                return Early(True, privacy_text(responses, "utter_sms_privacy", self.name(), self.settings))
            if word in YES_WORDS | NO_WORDS and sms_records.callback_asked(session, cid):
                sms_records.answer_callback(session, cid)
                if word in YES_WORDS and phone:
                    callbacks.keep_number(session, self.settings, cid, normalise_phone(phone))
                    return Early(True, variant_text(responses, "utter_sms_callback_yes", self.name()))
                return Early(True, variant_text(responses, "utter_sms_callback_no", self.name()))
            if word in MORE_WORDS:  # the rest of the last reply, if one was held back; else a turn
                more_line = to_gsm(variant_text(responses, "utter_sms_more", self.name()))
                part = sms_records.next_more(session, cid, lambda held: more_part(held, more_line))
                if part is not None:
                    return Early(True, part)
            return Early(False, payload=sms_records.option_payload(session, cid, text))

    def log_held(self, verdict: Verdict, traffic: Traffic) -> None:
        """One line of counts for a text that gets no reply (never the text or the number)."""
        if verdict is Verdict.LOOP:
            minutes = int(self.loop_limits.quiet_for.total_seconds() // 60)
            logger.warning(
                "sms loop guard: no replies to this conversation for %d min (loop %d; %d held today)",
                minutes,
                traffic.loops,
                traffic.held,
            )
        elif verdict is Verdict.QUIET:
            logger.info("sms loop guard: cooling down, no reply (%d held today)", traffic.held)
        else:
            logger.info(
                "sms daily reply cap (%d) reached: no reply (%d held today)",
                self.settings.sms_daily_replies,
                traffic.held,
            )
