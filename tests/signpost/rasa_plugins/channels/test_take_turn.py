"""What every channel adds around Rasa's answer: apology, cut note, privacy notice."""

from __future__ import annotations

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sqlalchemy.orm import Session

from signpost.config import get_settings
from signpost.conversations.repository import touch_conversation
from signpost.rasa_plugins.channels.take_turn import take_turn
from signpost.storage.clock import utcnow


def message(sender: str = "web-1") -> UserMessage:
    return UserMessage("my neck twists", CollectingOutputChannel(), sender, input_channel="socketio")


async def answers(_: UserMessage) -> None:
    return None


async def fails(_: UserMessage) -> None:
    raise ConnectionError("the message text must not reach the log: my neck twists")


async def test_first_turn_gets_the_notice_and_later_turns_do_not(engine, domain):
    responses, settings = domain["responses"], get_settings()
    first = (await take_turn(answers, message(), False, engine, responses, settings)).after
    assert len(first) == 1 and first[0].startswith("Privacy:") and settings.privacy_url in first[0]
    with Session(engine, future=True) as s, s.begin():
        touch_conversation(s, "web-1", "socketio", utcnow())
    assert (await take_turn(answers, message(), False, engine, responses, settings)).after == []


async def test_a_cut_message_gets_the_note_before_the_notice(engine, domain):
    after = (await take_turn(answers, message(), True, engine, domain["responses"], get_settings())).after
    assert "only read the first part" in after[0] and after[1].startswith("Privacy:")


async def test_a_failed_turn_gets_only_the_apology_and_a_one_line_log(engine, domain, caplog):
    after = (await take_turn(fails, message(), True, engine, domain["responses"], get_settings())).after
    assert len(after) == 1 and "020 7793 3650" in after[0] and "999" in after[0]
    assert "turn failed (ConnectionError)" in caplog.text and "my neck" not in caplog.text


async def test_turns_beyond_the_conversation_limit_are_refused_with_one_wait_note(engine, domain):
    """Five messages at once in one conversation: three run, the other two wait for nothing,
    and only the first refusal carries the note."""
    import asyncio

    release = asyncio.Event()

    async def slow(_: UserMessage) -> None:
        await release.wait()

    settings = get_settings()
    turns = [
        asyncio.create_task(take_turn(slow, message("burst"), False, engine, domain["responses"], settings))
        for _ in range(settings.turns_waiting_per_conversation)
    ]
    await asyncio.sleep(0.2)
    refused = [await take_turn(answers, message("burst"), False, engine, domain["responses"], settings) for _ in "ab"]
    other = await take_turn(answers, message("someone-else"), False, engine, domain["responses"], settings)
    release.set()
    done = await asyncio.gather(*turns)
    assert [r.refused.reason for r in refused if r.refused] == ["conversation", "conversation"]
    assert "wait a moment" in refused[0].after[0] and refused[1].after == []
    assert other.refused is None and all(d.refused is None for d in done)
    again = await take_turn(answers, message("burst"), False, engine, domain["responses"], settings)
    assert again.refused is None
