"""The helpline bridge: how a worker in the staff console takes part in a conversation.

The web front (signpost/web/staff.py) records what a worker did (taken, a reply,
released) and then calls `POST /webhooks/helpline/webhook` on a Rasa server with
`Authorization: Bearer <HELPLINE_BRIDGE_TOKEN>` and `{"conversation_id", "event", ...}`.
Under the conversation's lock, the bridge adds to its tracker:

- take: the `with_person` slot, and a line telling the person a worker has joined;
  from then on signpost.rasa_plugins.safety_policy keeps the assistant quiet (red flags are still
  answered at once) until the worker releases the case or the person says "end chat";
- reply: the worker's text as a bot message marked `helpline_reply` (so a reload and
  the transcript show it);
- release: the slot cleared, and one line saying the assistant is back.

Then it delivers the new text on the person's channel: over socket.io to the
conversation's room (through Redis to every replica when REDIS_URL is set), or by
SMS through the provider's Messages API when the person agreed to be texted back;
otherwise an SMS reply waits for their next text (signpost.rasa_plugins.channels.sms).
The state lives in the tracker, so any replica sees it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, SlotSet
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from signpost.config import Settings, get_settings
from signpost.conversations import callbacks, live
from signpost.dialogue import WITH_PERSON_SLOT
from signpost.rasa_plugins.channels.base import ProjectChannel
from signpost.rasa_plugins.serve import authorised
from signpost.responses import variant_text

logger = logging.getLogger(__name__)

EVENTS = ("take", "reply", "release")
RESPONSE_FOR_EVENT = {"take": "utter_helpline_joined", "release": "utter_helpline_handback"}
HELPLINE_REPLY_KEY = "helpline_reply"  # bot message metadata: the reply's id


async def end_human_chat(agent: Any, cid: str) -> bool:
    """Clear `with_person` (the person texted STOP); whether a worker had the conversation."""
    async with agent.lock_store.lock(cid):
        tracker = await agent.tracker_store.retrieve(cid)
        if tracker is None or not tracker.get_slot(WITH_PERSON_SLOT):
            return False
        tracker.update(SlotSet(WITH_PERSON_SLOT, None))
        await agent.tracker_store.save(tracker)
    return True


class HelplineBridge(ProjectChannel, InputChannel):
    @classmethod
    def name(cls) -> str:
        return "helpline"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> InputChannel:
        return cls(get_settings())

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bridge = Blueprint("helpline_webhook", __name__)

        @bridge.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not authorised(request.headers.get("authorization"), self.settings.helpline_bridge_token):
                return response.json({"error": "unauthorised"}, status=401)
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - any bad body is the caller's mistake
                body = None
            if not isinstance(body, dict) or body.get("event") not in EVENTS:
                return response.json({"error": f"event must be one of {', '.join(EVENTS)}"}, status=400)
            cid = body.get("conversation_id")
            if not isinstance(cid, str) or not cid or len(cid) > 128:
                return response.json({"error": "conversation_id is required"}, status=400)
            delivered = await self.apply(request.app, cid, body)
            if delivered is None:
                return response.json({"error": "no such conversation"}, status=404)
            return response.json({"delivered": delivered})

        return bridge

    async def apply(self, app: Any, cid: str, body: dict[str, Any]) -> Optional[str]:
        """Add the event to the tracker and deliver its text; how it was delivered, or None."""
        agent = app.ctx.agent
        event = body["event"]
        responses = self.responses_of(app)
        if event == "reply":
            reply_id = body.get("reply_id")
            text = body.get("text")
            if not isinstance(text, str) or not isinstance(reply_id, int):
                return None
            new = [BotUttered(text, metadata={HELPLINE_REPLY_KEY: reply_id})]
        else:
            text = variant_text(responses, RESPONSE_FOR_EVENT[event])
            slot = SlotSet(WITH_PERSON_SLOT, "taken" if event == "take" else None)
            new = [slot, BotUttered(text)]
            reply_id = None
        async with agent.lock_store.lock(cid):
            tracker = await agent.tracker_store.retrieve(cid)
            if tracker is None:
                return None
            for item in new:
                tracker.update(item)
            await agent.tracker_store.save(tracker)
        channel = tracker.get_latest_input_channel()
        how = await self.deliver(app, cid, channel, text, event, reply_id)
        logger.info("helpline %s on %s: %s", event, channel or "no channel", how)
        return how

    async def deliver(
        self, app: Any, cid: str, channel: Optional[str], text: str, event: str, reply_id: Optional[int]
    ) -> str:
        if channel == "socketio":
            web = next((c for c in getattr(app.ctx, "input_channels", []) if c.name() == "socketio"), None)
            sio = getattr(web, "sio", None)
            if sio is None:
                return "kept"
            payload: dict[str, Any] = {"text": text, "helpline": {"event": event}}
            if reply_id is not None:
                payload["helpline"]["reply_id"] = reply_id
            await sio.emit(getattr(web, "bot_message_evt", "bot_uttered"), payload, room=cid)
            if reply_id is not None:
                await asyncio.to_thread(self.mark, [reply_id])
            return "pushed"
        if channel == "sms":
            sent = await callbacks.text_back(self.settings, self.engine, cid, text)
            if sent and reply_id is not None:
                await asyncio.to_thread(self.mark, [reply_id])
            return "texted" if sent else "with the next answer"
        return "kept"

    def mark(self, reply_ids: list[int]) -> None:
        with Session(self.engine, future=True) as session, session.begin():
            live.mark_delivered(session, reply_ids)
