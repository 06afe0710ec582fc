"""The channels' shared base: one way to read responses and to reach the database."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from signpost.config import get_settings
from signpost.rasa_plugins.channels.base import ProjectChannel
from signpost.rasa_plugins.channels.helpline import HelplineBridge
from signpost.rasa_plugins.channels.rest import RestChannel
from signpost.rasa_plugins.channels.sms import SmsInput
from signpost.rasa_plugins.channels.web import WebChatInput


@pytest.mark.parametrize("channel", [RestChannel, SmsInput, WebChatInput, HelplineBridge])
def test_every_channel_of_ours_shares_the_base(channel):
    assert issubclass(channel, ProjectChannel)


def test_responses_come_from_the_loaded_model_or_are_empty_before_it():
    responses = {"utter_greet": [{"text": "Hello"}]}
    loaded = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(domain=SimpleNamespace(responses=responses))))
    assert ProjectChannel.responses_of(loaded) == responses
    assert ProjectChannel.responses_of(SimpleNamespace(ctx=SimpleNamespace(agent=None))) == {}
    assert ProjectChannel.responses_of(None) == {}


async def test_database_work_runs_off_the_event_loop(monkeypatch, sqlite_url):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    try:
        channel = ProjectChannel()
        loop_thread = threading.get_ident()
        seen = await channel.in_database(lambda session: (threading.get_ident(), session.in_transaction()))
        assert seen[0] != loop_thread and seen[1] is True
    finally:
        get_settings.cache_clear()
