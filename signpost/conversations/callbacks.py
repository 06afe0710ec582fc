"""Texting a person back: their consent, their number (encrypted), and the Messages API.

An SMS conversation's id is a keyed hash: the number itself is never stored. When
someone texting asks for a person, they are asked "May a helpline worker text you
back on this number? Reply YES or NO". Only on YES is the number kept, encrypted
with Fernet (`cryptography`, key SMS_NUMBER_KEY), until the case is closed, the
retention limit, or "forget me" (signpost.conversations.forget_me erases `sms_callbacks` with the
rest of the conversation). On NO, a worker's reply goes out with the answer to the
person's next text.

Sending uses Twilio's `POST {TWILIO_API_BASE}/2010-04-01/Accounts/{sid}/Messages.json`
with HTTP basic auth (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN), From SMS_FROM_NUMBER.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from signpost.config import Settings
from signpost.conversations.sms_records import SmsCallback
from signpost.language.sms_text import to_gsm

logger = logging.getLogger(__name__)
SEND_TIMEOUT_S = 10.0


def _fernet(settings: Settings) -> Fernet:
    return Fernet(settings.sms_number_key.encode())


def keep_number(session: Session, settings: Settings, conversation_id: str, number: str) -> None:
    token = _fernet(settings).encrypt(number.encode()).decode()
    row = session.get(SmsCallback, conversation_id)
    now = dt.datetime.now(dt.timezone.utc)
    if row is None:
        session.add(SmsCallback(conversation_id=conversation_id, number=token, created_at=now))
    else:
        row.number, row.created_at = token, now


def forget_number(session: Session, conversation_id: str) -> None:
    row = session.get(SmsCallback, conversation_id)
    if row is not None:
        session.delete(row)


def number_for(session: Session, settings: Settings, conversation_id: str) -> str | None:
    row = session.get(SmsCallback, conversation_id)
    if row is None:
        return None
    try:
        return _fernet(settings).decrypt(row.number.encode()).decode()
    except InvalidToken:  # the key changed: the number cannot be used
        logger.warning("a stored callback number cannot be decrypted with SMS_NUMBER_KEY")
        return None


def _lookup(engine: Engine, settings: Settings, conversation_id: str) -> str | None:
    with Session(engine, future=True) as session:
        return number_for(session, settings, conversation_id)


async def text_back(settings: Settings, engine: Engine, conversation_id: str, text: str) -> bool:
    """Send `text` to the person's number if they agreed and sending is set up; whether it went."""
    if not (settings.twilio_account_sid and settings.twilio_auth_token and settings.sms_from_number):
        return False
    import aiohttp  # only the Rasa server sends; the action server's image has no aiohttp

    number = await asyncio.to_thread(_lookup, engine, settings, conversation_id)
    if number is None:
        return False
    url = f"{settings.twilio_api_base}/2010-04-01/Accounts/{settings.twilio_account_sid}/Messages.json"
    auth = aiohttp.BasicAuth(settings.twilio_account_sid, settings.twilio_auth_token)
    data = {"To": number, "From": settings.sms_from_number, "Body": to_gsm(text)}
    try:
        timeout = aiohttp.ClientTimeout(total=SEND_TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as client, client.post(url, data=data, auth=auth) as answer:
            if answer.status >= 300:
                logger.warning("sms text-back refused by the provider (HTTP %d)", answer.status)
                return False
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        logger.warning("sms text-back failed (%s)", type(exc).__name__)
        return False
    return True
