"""The SMS channel's answer to one message, with a stand-in for Rasa: replays, the daily
cap, the loop guard and red flags after STOP (the same on the running servers in
tests/test_sms_channel.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from signpost.config import get_settings
from signpost.conversations.models import Handoff
from signpost.conversations.sms_records import SmsAnswer, SmsTraffic
from signpost.language.sms_text import conversation_id, message_key
from signpost.rasa_plugins.channels.sms import SmsInput

SECRET = b"unit-test-secret"
NUMBER = "+44 7700 900456"
CID = conversation_id(SECRET, NUMBER)


class Bot:
    """Answers every message with one line and counts the turns it ran."""

    def __init__(self) -> None:
        self.turns: list[str] = []
        self.gate: asyncio.Event | None = None  # set: turns wait until it is released

    async def __call__(self, message: UserMessage) -> None:
        self.turns.append(message.text or "")
        if self.gate is not None:
            await self.gate.wait()
        await message.output_channel.send_text_message(message.sender_id, f"Answer number {len(self.turns)}")


@pytest.fixture
def channel(knowledge_db: str, domain: dict[str, Any]) -> tuple[SmsInput, Any, Bot]:
    settings = dataclasses.replace(get_settings(), sms_daily_replies=3)
    agent = SimpleNamespace(domain=SimpleNamespace(responses=domain["responses"]))
    request = SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=agent)))
    return SmsInput(settings, SECRET), request, Bot()


async def say(channel, text: str, sid: str | None = None) -> str | None:
    sms, request, bot = channel
    key = message_key(SECRET, sid, CID, text) if sid else None
    return await sms.answer(request, CID, text, key, "req-1", bot)


def count(sms: SmsInput, model: Any, **where: Any) -> int:
    with Session(sms.engine, future=True) as s:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(s.scalar(query) or 0)


async def test_a_replayed_message_sid_gets_the_same_reply_without_a_turn(channel):
    sms, _, bot = channel
    first = await say(channel, "my neck pulls", sid="SM1")
    again = await say(channel, "my neck pulls", sid="SM1")
    assert first and again == first and len(bot.turns) == 1
    assert count(sms, SmsTraffic, conversation_id=CID) == 1
    with Session(sms.engine, future=True) as s:
        assert s.get(SmsTraffic, CID).replies == 1, "a replay is not another reply"
    assert await say(channel, "my neck pulls", sid="SM2") != first and len(bot.turns) == 2


async def test_a_copy_arriving_during_the_turn_waits_for_its_answer(channel):
    _, _, bot = channel
    bot.gate = asyncio.Event()
    first = asyncio.create_task(say(channel, "my eyes blink", sid="SM3"))
    copy = asyncio.create_task(say(channel, "my eyes blink", sid="SM3"))
    await asyncio.sleep(0.5)
    assert len(bot.turns) == 1 and not copy.done()
    bot.gate.set()
    assert await first == await copy and len(bot.turns) == 1


async def test_a_turn_that_fails_outside_rasa_can_be_retried(channel, monkeypatch):
    sms, _, bot = channel

    def broken(*_: Any) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(sms, "before_turn", broken)
    with pytest.raises(RuntimeError):
        await say(channel, "hello", sid="SM4")
    assert count(sms, SmsAnswer) == 0
    monkeypatch.undo()
    assert await say(channel, "hello", sid="SM4") and len(bot.turns) == 1


async def test_beyond_the_daily_cap_only_red_flags_are_answered(channel, caplog):
    _, _, bot = channel
    caplog.set_level(logging.INFO)
    assert all([await say(channel, f"question {i}") for i in range(3)])
    assert await say(channel, "question 4") is None and await say(channel, "HELP") is None
    assert len(bot.turns) == 3
    assert await say(channel, "I can't breathe") is not None and len(bot.turns) == 4
    assert "daily reply cap (3) reached: no reply (2 held today)" in caplog.text
    assert "question" not in caplog.text and "7700" not in caplog.text


async def test_a_bot_repeating_itself_is_not_answered_during_the_cool_down(channel, caplog):
    sms, _, bot = channel
    sms.settings = dataclasses.replace(sms.settings, sms_daily_replies=200)
    caplog.set_level(logging.INFO)
    replies = [await say(channel, "Thank you for your message. We will reply soon.") for _ in range(6)]
    assert [r is not None for r in replies] == [True] * 4 + [False, False]
    assert await say(channel, "something else entirely") is None, "the cool-down holds every text"
    assert await say(channel, "I can't breathe") is not None, "but not red flags"
    assert "sms loop guard: no replies to this conversation for 60 min (loop 1; 1 held today)" in caplog.text
    assert "Thank you" not in caplog.text and "7700" not in caplog.text


async def test_after_stop_a_red_flag_reaches_the_queue_without_a_reply(channel):
    sms, _, bot = channel
    assert "START" in (await say(channel, "STOP") or "")
    assert await say(channel, "my neck aches") is None
    assert count(sms, Handoff, conversation_id=CID) == 0
    assert await say(channel, "I can't breathe and my throat is closing") is None
    assert await say(channel, "still can't breathe") is None
    with Session(sms.engine, future=True) as s:
        handoffs = list(s.scalars(select(Handoff).where(Handoff.conversation_id == CID)))
    assert [(h.reason, h.red_flag, h.channel) for h in handoffs] == [("red_flag", "emergency", "sms")]
    assert bot.turns == []
