"""SMS helpers: hashed ids, GSM text, numbered options, length limit, TwiML."""

from __future__ import annotations

import re

import pytest

from signpost.language.sms_text import (
    MAX_REPLY_CHARS,
    MAX_SEGMENTS,
    OptionWords,
    conversation_id,
    more_part,
    render,
    segments,
    to_gsm,
    twiml,
)

OPTIONS = OptionWords("Reply {choices}.", "{number} for {title}")


def test_conversation_id_is_a_keyed_hash_of_the_number():
    a = conversation_id(b"secret", "+44 7700 900123")
    assert a == conversation_id(b"secret", "07700900123"), "formats of one number agree"
    assert a != conversation_id(b"other", "+447700900123"), "depends on the secret"
    assert a != conversation_id(b"secret", "+447700900124")
    assert not re.search(r"7700|900123", a)


def test_gsm_text():
    assert to_gsm("• it’s “fine” – ok…") == '- it\'s "fine" - ok...'
    assert to_gsm("emoji 🙂") == "emoji ?"


def test_buttons_become_numbered_options():
    reply = render(
        [
            {
                "text": "Which part?",
                "buttons": [{"title": "Neck", "payload": "my neck"}, {"title": "Eyes", "payload": "my eyes"}],
            }
        ],
        OPTIONS,
    )
    assert reply.body == "Which part?\n\nReply 1 for Neck, 2 for Eyes."
    assert reply.options == {"1": "my neck", "2": "my eyes"}


def test_over_the_limit_the_middle_is_shortened_not_the_ends():
    first, last = "Call 999 now.", "General information only, not a diagnosis."
    messages = [{"text": first}, {"text": "word " * 600}, {"text": last}]
    reply = render(messages, OPTIONS)
    assert len(reply.body) <= MAX_REPLY_CHARS
    assert reply.body.startswith(first) and reply.body.endswith(last)


@pytest.mark.parametrize("body,expected", [(None, "<Response/>"), ("a < b & c", "<Message>a &lt; b &amp; c</Message>")])
def test_twiml(body, expected):
    assert expected in twiml(body)


@pytest.mark.parametrize(("length", "expected"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)])
def test_segments_count_gsm7_parts(length, expected):
    assert segments("x" * length) == expected


MORE = "Reply MORE for the rest."


def test_a_long_reply_sends_three_segments_and_holds_the_rest_in_order():
    answer, disclaimer = "What you describe is sometimes seen in: cervical dystonia.", "Not a diagnosis."
    middle = [f"Paragraph {i}: " + "word " * 30 for i in range(4)]
    safety = "If it gets quickly worse, call 999."
    messages = [{"text": t} for t in (answer, *middle, safety, disclaimer)]
    reply = render(messages, OPTIONS, more_line=MORE)
    assert segments(reply.body) <= MAX_SEGMENTS
    assert reply.body.startswith(answer) and reply.body.endswith(disclaimer)
    assert safety in reply.body, "an emergency number is never held back"
    assert MORE in reply.body and reply.rest
    sent = [m for m in middle if m.strip() in reply.body]
    assert middle[: len(sent)] == sent and sent != middle, "the first paragraphs go now, the later ones wait"
    assert reply.rest.split("\n\n") == [m.strip() for m in middle[len(sent) :]]


def test_a_short_reply_holds_nothing_back():
    reply = render([{"text": "Hello."}, {"text": "Not a diagnosis."}], OPTIONS, more_line=MORE)
    assert (reply.body, reply.rest) == ("Hello.\n\nNot a diagnosis.", None)


def test_more_reads_on_part_by_part_until_nothing_is_left():
    rest = "\n\n".join(f"Part {i}. " + "word " * 40 for i in range(6))
    parts, left = [], rest
    while left:
        part, left = more_part(left, MORE)
        assert segments(part) <= MAX_SEGMENTS
        parts.append(part)
    assert len(parts) > 1 and all(p.endswith(MORE) for p in parts[:-1]) and not parts[-1].endswith(MORE)
    assert " ".join(p.replace(MORE, "") for p in parts).split() == rest.split()


def test_the_disclaimer_and_what_follows_it_are_never_held_back():
    answer = "What you describe is sometimes seen in: cervical dystonia."
    middle = [f"Paragraph {i}: " + "word " * 30 for i in range(3)]
    disclaimer = {"text": "Not a diagnosis.", "buttons": [{"title": "More tips", "payload": "tips"}]}
    notice = {"text": "Kept 30 days, never your number."}
    reply = render([{"text": answer}, *({"text": m} for m in middle), disclaimer, notice], OPTIONS, more_line=MORE)
    assert reply.rest and segments(reply.body) <= MAX_SEGMENTS
    assert reply.body.endswith("Not a diagnosis.\n\nKept 30 days, never your number.\n\nReply 1 for More tips.")


def test_a_long_answer_on_its_own_goes_sentence_by_sentence_and_the_rest_waits_for_more():
    answer = " ".join(f"Sentence {i} says something useful about dystonia." for i in range(12))
    disclaimer = {"text": "This is not a diagnosis.", "buttons": [{"title": "More tips", "payload": "tips"}]}
    reply = render([{"text": answer}, disclaimer], OPTIONS, more_line=MORE)
    assert segments(reply.body) <= MAX_SEGMENTS and reply.rest
    assert reply.body.startswith("Sentence 0 says") and reply.body.endswith("Reply 1 for More tips.")
    assert " ".join([reply.body.split("\n\n")[0], reply.rest]) == answer, "nothing lost, in order"
