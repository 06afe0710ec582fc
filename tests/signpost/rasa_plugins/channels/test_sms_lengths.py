"""Every response the bot can send over SMS fits in one reply (1,600 characters).

Iterates the whole domain: each response's sms variant (or its default), with
every placeholder filled by the longest value the actions can put there.
"""

from __future__ import annotations

import re
import string

import pytest

from actions.base import bullet_list
from actions.privacy import MAX_LISTED
from signpost.config import ROOT
from signpost.language.sms_text import MAX_REPLY_CHARS, MAX_SEGMENTS, OptionWords, more_part, render, segments, to_gsm


@pytest.fixture(scope="module")
def options(domain) -> OptionWords:
    return OptionWords(
        _sms_variant(domain["responses"]["utter_sms_options"])["text"],
        _sms_variant(domain["responses"]["utter_sms_option"])["text"],
    )


def _sms_variant(variants):
    return next((v for v in variants if v.get("channel") == "sms"), variants[0])


@pytest.fixture(scope="module")
def longest(content, domain):
    """The longest value each placeholder can take."""
    sms = {name: _sms_variant(v)["text"] for name, v in domain["responses"].items()}
    types = sorted(content.types, key=lambda t: -len(t.name))
    mentions = sorted((t.mention for t in content.terms), key=len, reverse=True)
    reason = f"{mentions[0]} and {mentions[1]}"
    candidate_lines = [sms["utter_candidate_line"].format(name=t.name, reason=reason) for t in types[:3]]
    contacts = [
        sms["utter_contact_line"].format(
            name=c.name, description=c.description, details=" " + ", ".join(filter(None, [c.phone, c.email, c.website]))
        )
        for c in content.contacts
    ]
    line = sms["utter_group_line"]
    groups = [
        line.format(name=c.name, meets=c.meets or "", phone=c.phone, email=c.email, website=c.website)
        for c in content.contacts
        if c.places
    ]
    tips = sorted((t.text for t in content.tips), key=len, reverse=True)
    topics = sorted(content.topics, key=lambda t: -len(t.summary + t.details))
    call = max(
        (sms["utter_contact_call"].format(name=c.name, phone=c.phone) for c in content.contacts if c.phone), key=len
    )
    labels = sorted((t.label for t in content.terms), key=len, reverse=True)[:MAX_LISTED]
    described = ", ".join(labels)
    privacy = {"retention": "365 days", "privacy_url": "https://chat.example-charity.org.uk/privacy"}
    my_data_lines = [
        sms["utter_my_data_messages"].format(count=999, since="30 September 2026"),
        sms["utter_my_data_described"].format(items=described),
        sms["utter_my_data_types"].format(items=", ".join(t.name for t in types[:MAX_LISTED])),
        sms["utter_my_data_codes"].format(codes="DYS-WWWW and DYS-WWWW"),
    ]
    values = {
        **privacy,
        "count": "999",
        "since": "30 September 2026",
        "codes": "DYS-WWWW and DYS-WWWW",
        "candidates": bullet_list(candidate_lines),
        "name": types[0].name,
        "summary": max((t.summary for t in (*content.types, *content.topics)), key=len),
        "details": max((t.details for t in (*content.types, *content.topics)), key=len),
        "subtype": " " + max((s.text for t in content.types for s in t.subtypes), key=len),
        "tip": tips[0],
        "tips": bullet_list(tips[:4]),
        "contact": call,
        "contacts": bullet_list(contacts),
        "groups": bullet_list(groups),
        "title": max((t.title for t in content.topics), key=len),
        "text": f"{topics[0].summary} {topics[0].details}",
        "names": ", ".join(t.name for t in content.types),
        "place": "Newcastle upon Tyne",
        "website": max((c.website or "" for c in content.contacts), key=len),
        "phone": "020 7793 3650",
        "email": max((c.email or "" for c in content.contacts), key=len),
        "meets": max((c.meets or "" for c in content.contacts), key=len),
        "intro": max((t.summary for t in content.topics), key=len),
        "reason": reason,
        "feeling": max(
            (v[0]["text"] for k, v in domain["responses"].items() if k.startswith("utter_feeling_")), key=len
        ),
        "child": domain["responses"]["utter_signpost_child"][0]["text"],
        "description": max((c.description for c in content.contacts), key=len),
        "choices": "",
        "items": max(", ".join(mentions[:2]), bullet_list(my_data_lines), key=len),
        "last": mentions[2],
        "number": "9",
        "code": "DYS-WWWW",
        "helpline": max((c.name for c in content.contacts if c.phone), key=len),
    }
    return values


def _fill(text: str, values: dict) -> str:
    names = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    missing = names - set(values)
    assert not missing, f"no worst case known for {missing}"
    return text.format(**values)


def test_every_response_fits(domain, longest, options):
    for name, variants in domain["responses"].items():
        variant = _sms_variant(variants)
        message = {"text": _fill(variant["text"], longest), "buttons": variant.get("buttons")}
        body = render([message], options).body
        assert len(render([message], options, limit=10_000).body) <= MAX_REPLY_CHARS, name
        assert "<" not in body and "**" not in body, f"{name}: SMS text is plain"


def test_the_longest_signposting_reply_sends_three_texts_and_the_rest_on_more(domain, longest, options):
    """The messages of a signposting reply, each at its longest: the types, the 999 line and
    the disclaimer now (within the length limit), and MORE brings the rest, part by part."""
    sms = {name: _sms_variant(v) for name, v in domain["responses"].items()}
    parts = [
        "utter_signpost_candidates",
        "utter_signpost_type",
        "utter_signpost_help",
        "utter_safety_net",
        "utter_disclaimer",
    ]
    messages = [{"text": _fill(sms[p]["text"], longest)} for p in parts]
    messages[-1]["buttons"] = domain["responses"]["utter_how_can_i_help"][0]["buttons"]
    more_line = sms["utter_sms_more"]["text"]
    reply = render(messages, options, more_line=more_line)
    assert len(reply.body) <= MAX_REPLY_CHARS and reply.rest
    assert "999" in reply.body and "not a diagnosis" in reply.body.lower()
    assert reply.body.startswith(to_gsm(messages[0]["text"]))
    left, read = reply.rest, []
    while left:
        part, left = more_part(left, to_gsm(more_line))
        assert segments(part) <= MAX_SEGMENTS
        read.append(part)
    everything = " ".join(" ".join([reply.body, *read]).replace(to_gsm(more_line), "").split())
    for message in messages:
        assert " ".join(to_gsm(message["text"]).split()) in everything, "nothing is lost"


def test_domain_file_is_where_the_variants_live():
    assert re.search(r"channel: sms", (ROOT / "domain.yml").read_text())
