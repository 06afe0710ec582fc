"""What every channel adds around Rasa's answer: apology, cut note, privacy notice."""

from __future__ import annotations

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sqlalchemy.orm import Session

from signpost.channels.turn import take_turn
from signpost.config import get_settings
from signpost.conversations.repository import touch_conversation, utcnow


def message(sender: str = "web-1") -> UserMessage:
    return UserMessage("my neck twists", CollectingOutputChannel(), sender, input_channel="socketio")


async def answers(_: UserMessage) -> None:
    return None


async def fails(_: UserMessage) -> None:
    raise ConnectionError("the message text must not reach the log: my neck twists")


async def test_first_turn_gets_the_notice_and_later_turns_do_not(engine, domain):
    responses, settings = domain["responses"], get_settings()
    first = await take_turn(answers, message(), False, engine, responses, settings)
    assert len(first) == 1 and first[0].startswith("Privacy:") and settings.privacy_url in first[0]
    with Session(engine, future=True) as s, s.begin():
        touch_conversation(s, "web-1", "socketio", utcnow())
    assert await take_turn(answers, message(), False, engine, responses, settings) == []


async def test_a_cut_message_gets_the_note_before_the_notice(engine, domain):
    after = await take_turn(answers, message(), True, engine, domain["responses"], get_settings())
    assert "only read the first part" in after[0] and after[1].startswith("Privacy:")


async def test_a_failed_turn_gets_only_the_apology_and_a_one_line_log(engine, domain, caplog):
    after = await take_turn(fails, message(), True, engine, domain["responses"], get_settings())
    assert len(after) == 1 and "020 7793 3650" in after[0] and "999" in after[0]
    assert "turn failed (ConnectionError)" in caplog.text and "my neck" not in caplog.text
