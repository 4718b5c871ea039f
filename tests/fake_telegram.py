"""A strict, offline Telegram Bot API: in-process (a BaseRequest) or on 127.0.0.1 (HTTP).

Strict the way Telegram is: malformed HTML under parse_mode HTML, empty text, text over 4096
characters, callback_data over 64 bytes, unknown or stale callback queries, edits of missing or
unchanged messages and bad commands are rejected with Telegram's error shapes, and a second
getUpdates caller ends the first with 409 Conflict. On demand it answers 403 (user blocked the
bot), 429 (flood control), 502 (an outage), fails at the network level, or delivers a message
and answers too late.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from tests import tghtml

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijk"
BOT_ID = 123456789
BOT_USERNAME = "career_test_bot"
ANONYMOUS_ADMIN = 1087968824  # GroupAnonymousBot
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class Failure(Exception):
    """Raised inside the fake to answer with an error status and description."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass
class FakeTelegram:
    """The Bot API's state and rules; transports below call `handle`."""

    token: str = TOKEN
    sent: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    photos: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    # Chats that refuse messages the way Telegram says so: kicked from a group, a chat that no
    # longer exists, a group that became a supergroup (old id -> new id).
    kicked: set[int] = field(default_factory=set)
    missing: set[int] = field(default_factory=set)
    migrated: dict[int, int] = field(default_factory=dict)
    flood: int = 0
    flood_retry_after: int = 1
    network_failures: int = 0
    # Sends that are delivered but answered too late (the client times out): the same message
    # must not be sent again.
    late_answers: int = 0
    late_delay: float = 3.0
    # Sends answered "502 Bad Gateway" without delivering (an outage), by count or until a
    # moment (time.monotonic()).
    server_errors: int = 0
    outage_until: float = 0.0
    webhook: dict[str, Any] | None = None
    conflicts: int = 0
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _next_update_id: int = 1
    _next_message_id: int = 1000
    _open_callbacks: set[str] = field(default_factory=set)
    _lock: threading.Condition = field(default_factory=threading.Condition)
    # (chat id, message id) -> (text, markup) of messages that exist, for edits.
    _messages: dict[tuple[int, int], tuple[str, Any]] = field(default_factory=dict)
    _poller: int = 0

    # -- what tests feed in --------------------------------------------------------------------
    def message_update(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        chat_type: str = "private",
        reply_to_bot: bool = False,
        first_name: str = "Ada",
        thread: int | None = None,
        forwarded_from: int | None = None,
        anonymous_admin: bool = False,
    ) -> dict[str, Any]:
        """A message update as Telegram sends it (commands and mentions get their entities)."""
        chat = chat_id if chat_id is not None else user_id
        message: dict[str, Any] = {
            "message_id": self._message_id(),
            "date": int(time.time()),
            "chat": {"id": chat, "type": chat_type, **({"title": "ML folks"} if chat < 0 else {})},
            "from": {"id": user_id, "is_bot": False, "first_name": first_name},
            "text": text,
        }
        entities = []
        if text.startswith("/"):
            entities.append({"type": "bot_command", "offset": 0, "length": len(text.split()[0])})
        for m in re.finditer(r"@\w+", text):
            entities.append({"type": "mention", "offset": m.start(), "length": len(m.group())})
        if entities:
            message["entities"] = entities
        if thread is not None:  # a forum topic of a supergroup
            message["chat"].update({"type": "supergroup", "is_forum": True})
            message.update({"message_thread_id": thread, "is_topic_message": True})
        if forwarded_from is not None:
            message["forward_origin"] = {
                "type": "user",
                "date": int(time.time()) - 60,
                "sender_user": {"id": forwarded_from, "is_bot": False, "first_name": "Someone"},
            }
        if anonymous_admin:  # an admin posting as the group: every one of them looks the same
            message["from"] = {"id": ANONYMOUS_ADMIN, "is_bot": True, "first_name": "Group",
                               "username": "GroupAnonymousBot"}  # fmt: skip
            message["sender_chat"] = {"id": chat, "type": message["chat"]["type"],
                                      "title": "ML folks"}  # fmt: skip
        if reply_to_bot:
            message["reply_to_message"] = {
                "message_id": 1,
                "date": int(time.time()),
                "chat": message["chat"],
                "from": self.me(),
                "text": "an earlier answer",
            }
        return self._wrap({"message": message})

    def media_update(
        self, user_id: int, kind: str, caption: str | None = None, chat_id: int | None = None
    ) -> dict[str, Any]:
        """A message that is not text, with the Bot API's field shapes: photo, sticker, voice,
        document, location, contact or poll (photo and document may have a caption)."""
        group = chat_id is not None and chat_id < 0
        update = self.message_update(user_id, "x", chat_id=chat_id,
                                     chat_type="group" if group else "private")  # fmt: skip
        message = update["message"]
        del message["text"]
        file = {"file_id": f"f{message['message_id']}", "file_unique_id": "u1"}
        message.update({
            "photo": {"photo": [{**file, "width": 90, "height": 60, "file_size": 1000}]},
            "sticker": {"sticker": {**file, "type": "regular", "width": 512, "height": 512,
                                    "is_animated": False, "is_video": False, "emoji": "👍"}},
            "voice": {"voice": {**file, "duration": 3, "mime_type": "audio/ogg"}},
            "document": {"document": {**file, "file_name": "cv.pdf",
                                      "mime_type": "application/pdf"}},
            "location": {"location": {"latitude": 51.5, "longitude": -0.12}},
            "contact": {"contact": {"phone_number": "+440000", "first_name": "Bo",
                                    "user_id": 77}},
            "poll": {"poll": {"id": "p1", "question": "Which level?",
                              "options": [
                {"text": "mid", "voter_count": 0, "persistent_id": "o1"},
                {"text": "senior", "voter_count": 0, "persistent_id": "o2"}],
                "total_voter_count": 0, "is_closed": False, "is_anonymous": True,
                "type": "regular", "allows_multiple_answers": False,
                "allows_revoting": True, "members_only": False}},
        }[kind])  # fmt: skip
        if caption is not None:
            message["caption"] = caption
            mentions = [{"type": "mention", "offset": m.start(), "length": len(m.group())}
                        for m in re.finditer(r"@\w+", caption)]  # fmt: skip
            if mentions:
                message["caption_entities"] = mentions
        return update

    def my_chat_member_update(self, user_id: int, status: str) -> dict[str, Any]:
        """The bot's own membership in a private chat changed: "kicked" when the user blocked
        it, "member" when they unblocked it."""
        before = "member" if status == "kicked" else "kicked"
        member = {"user": self.me(), "status": status}
        if status == "kicked":
            member["until_date"] = 0
        old = {"user": self.me(), "status": before}
        if before == "kicked":
            old["until_date"] = 0
        return self._wrap({"my_chat_member": {
            "chat": {"id": user_id, "type": "private", "first_name": "Ada"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Ada"},
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": member,
        }})  # fmt: skip

    def expire_callbacks(self) -> None:
        """Every open callback query becomes too old to answer (the bot was down)."""
        with self._lock:
            self._open_callbacks.clear()

    def button_update(
        self,
        user_id: int,
        data: str,
        chat_id: int | None = None,
        asker: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A callback query update: the user pressed an inline button with `data`, under the
        bot's message 1, which replied to `asker` ({"message_id", "from": {"id"}}) if given."""
        query_id = f"cq{self._next_update_id}"
        with self._lock:
            self._open_callbacks.add(query_id)
        chat = chat_id if chat_id is not None else user_id
        chat_json = {"id": chat, "type": "private" if chat > 0 else "group",
                     **({"title": "ML folks"} if chat < 0 else {})}  # fmt: skip
        message: dict[str, Any] = {
            "message_id": 1,
            "date": int(time.time()),
            "chat": chat_json,
            "from": self.me(),
            "text": "an answer with buttons",
        }
        if asker is not None:
            person = asker["from"]["id"]
            message["reply_to_message"] = {
                "message_id": asker["message_id"],
                "date": int(time.time()),
                "chat": chat_json,
                "from": {"id": person, "is_bot": False, "first_name": "Ada"},
                "text": "a question",
            }
        return self._wrap(
            {
                "callback_query": {
                    "id": query_id,
                    "from": {"id": user_id, "is_bot": False, "first_name": "Ada"},
                    "chat_instance": "ci",
                    "data": data,
                    "message": message,
                }
            }
        )

    def queue(self, update: dict[str, Any]) -> None:
        """Make an update available to getUpdates (long polling)."""
        with self._lock:
            self._updates.append(update)
            self._lock.notify_all()

    def _wrap(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            update_id = self._next_update_id
            self._next_update_id += 1
        return {"update_id": update_id, **body}

    def _message_id(self) -> int:
        with self._lock:
            self._next_message_id += 1
            return self._next_message_id

    def me(self) -> dict[str, Any]:
        """The bot's own User object."""
        return {"id": BOT_ID, "is_bot": True, "first_name": "Career", "username": BOT_USERNAME,
                "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}  # fmt: skip

    # -- what tests read back ------------------------------------------------------------------
    def texts(self, chat_id: int | None = None) -> list[str]:
        """Visible text of every message sent (to one chat)."""
        return [
            tghtml.parse(m["text"]) if m.get("parse_mode") == "HTML" else m["text"]
            for m in self.sent
            if chat_id is None or m["chat_id"] == chat_id
        ]

    def buttons(self, message: dict[str, Any]) -> list[tuple[str, str]]:
        """(label, callback_data) of a sent message's inline keyboard."""
        markup = message.get("reply_markup") or {}
        return [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    def take_late_answer(self, method: str) -> bool:
        """True when this call (just handled) is to be answered too late."""
        with self._lock:
            if method.startswith("send") and self.late_answers > 0:
                self.late_answers -= 1
                return True
            return False

    # -- the API -------------------------------------------------------------------------------
    def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call: (HTTP status, JSON body)."""
        with self._lock:
            self.calls.append(method)
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        try:
            result = self._dispatch(method, params)
        except Failure as exc:
            with self._lock:
                self.rejected.append((method, exc.description))
            body: dict[str, Any] = {
                "ok": False, "error_code": exc.status, "description": exc.description
            }  # fmt: skip
            if exc.parameters:
                body["parameters"] = exc.parameters
            return exc.status, body
        return 200, {"ok": True, "result": result}

    def _dispatch(self, method: str, p: dict[str, Any]) -> Any:
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            raise Failure(404, "Not Found: method not found")
        return handler(p)

    def _getMe(self, p: dict[str, Any]) -> Any:
        return self.me()

    def _setMyCommands(self, p: dict[str, Any]) -> Any:
        commands = _json(p.get("commands"))
        if not isinstance(commands, list) or len(commands) > 100:
            raise Failure(400, "Bad Request: commands must be a list of at most 100 items")
        for c in commands:
            if not COMMAND_RE.match(c.get("command", "")):
                raise Failure(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(c.get("description", "")) <= 256:
                raise Failure(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = commands
        return True

    def _deleteWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    def _setWebhook(self, p: dict[str, Any]) -> Any:
        url = str(p.get("url", ""))
        if url and not url.startswith("https://"):
            raise Failure(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        self.webhook = {"url": url, "secret_token": p.get("secret_token")}
        return True

    def _getUpdates(self, p: dict[str, Any]) -> Any:
        if self.webhook and self.webhook.get("url"):
            raise Failure(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(p.get("offset") or 0)
        limit = int(p.get("limit") or 100)
        timeout = min(float(p.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        with self._lock:
            # Like Telegram: a getUpdates call ends any other one still waiting with a 409.
            self._poller += 1
            me = self._poller
            self._lock.notify_all()
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline and self._poller == me:
                self._lock.wait(deadline - time.monotonic())
            if self._poller != me:
                self.conflicts += 1
                raise Failure(409, "Conflict: terminated by other getUpdates request; make sure "
                              "that only one bot instance is running")  # fmt: skip
            return list(self._updates[:limit])

    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        with self._lock:
            return len(self._updates)

    def _answerCallbackQuery(self, p: dict[str, Any]) -> Any:
        query_id = str(p.get("callback_query_id"))
        with self._lock:
            if query_id not in self._open_callbacks:
                raise Failure(400, "Bad Request: query is too old and response timeout expired "
                              "or query ID is invalid")  # fmt: skip
            self._open_callbacks.discard(query_id)
            if len(str(p.get("text") or "")) > 200:
                raise Failure(400, "Bad Request: MESSAGE_TOO_LONG")
            self.callback_answers.append(dict(p))
        return True

    def _sendChatAction(self, p: dict[str, Any]) -> Any:
        return True

    def _sendMessage(self, p: dict[str, Any]) -> Any:
        chat_id = int(p["chat_id"])
        self._check_delivery(chat_id)
        text = str(p.get("text") or "")
        self._check_text(text, p.get("parse_mode"))
        markup = _json(p.get("reply_markup"))
        self._check_markup(markup)
        reply = _json(p.get("reply_parameters"))
        reply_to = reply.get("message_id") if isinstance(reply, dict) else None
        message = {"chat_id": chat_id, "text": text, "parse_mode": p.get("parse_mode"),
                   "reply_markup": markup, "message_id": self._message_id(),
                   "at": time.monotonic(), "message_thread_id": p.get("message_thread_id"),
                   "reply_to": reply_to}  # fmt: skip
        with self._lock:
            self.sent.append(message)
            self._messages[(chat_id, message["message_id"])] = (text, markup)
        return self._message_json(message, text)

    def _editMessageText(self, p: dict[str, Any]) -> Any:
        chat_id = int(p["chat_id"])
        text = str(p.get("text") or "")
        self._check_text(text, p.get("parse_mode"))
        markup = _json(p.get("reply_markup"))
        self._check_markup(markup)
        edit = {"chat_id": chat_id, "message_id": int(p["message_id"]), "text": text,
                "parse_mode": p.get("parse_mode"), "reply_markup": markup}  # fmt: skip
        key = (chat_id, edit["message_id"])
        with self._lock:
            # Message 1 of every chat is the one fake button presses are under by default.
            before = self._messages.get(key, ("an answer with buttons", None) if key[1] == 1
                                        else None)  # fmt: skip
            if before is None:
                raise Failure(400, "Bad Request: message to edit not found")
            if before == (text, markup):
                raise Failure(400, "Bad Request: message is not modified: specified new message "
                              "content and reply markup are exactly the same as a current "
                              "content and reply markup of the message")  # fmt: skip
            self._messages[key] = (text, markup)
            self.edits.append(edit)
        return self._message_json(edit, text)

    def _sendDocument(self, p: dict[str, Any]) -> Any:
        chat_id = int(p["chat_id"])
        self._check_delivery(chat_id)
        caption = str(p.get("caption") or "")
        if caption:
            self._check_text(caption, p.get("parse_mode"), limit=1024)
        file = p.get("document")
        # In-process the file arrives as (name, bytes, mime type); over HTTP as raw bytes.
        name, content = (file[0], file[1]) if isinstance(file, tuple) else ("", file)
        if not content:
            raise Failure(400, "Bad Request: file must be non-empty")
        document = {"chat_id": chat_id, "caption": caption, "filename": name,
                    "content": content}  # fmt: skip
        with self._lock:
            self.documents.append(document)
        result = self._message_json({"chat_id": chat_id, "message_id": self._message_id()}, "")
        result["document"] = {"file_id": "doc1", "file_unique_id": "d1"}
        return result

    def _sendPhoto(self, p: dict[str, Any]) -> Any:
        # The Bot API: `photo` uploaded as multipart/form-data, at most 10 MB, width + height
        # at most 10000, their ratio at most 20; `caption` 0-1024 characters after parsing.
        chat_id = int(p["chat_id"])
        self._check_delivery(chat_id)
        caption = str(p.get("caption") or "")
        if caption:
            self._check_text(caption, p.get("parse_mode"), limit=1024)
        markup = _json(p.get("reply_markup"))
        self._check_markup(markup)
        file = p.get("photo")
        name, content = (file[0], file[1]) if isinstance(file, tuple) else ("", file)
        if not isinstance(content, bytes) or not content:
            raise Failure(400, "Bad Request: there is no photo in the request")
        if len(content) > 10 * 1024 * 1024:
            raise Failure(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        width, height = _image_size(content)
        if width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise Failure(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        photo = {"chat_id": chat_id, "caption": caption, "filename": name, "content": content,
                 "width": width, "height": height, "reply_markup": markup}  # fmt: skip
        message_id = self._message_id()
        with self._lock:
            self.photos.append(photo)
        result = self._message_json({"chat_id": chat_id, "message_id": message_id}, "")
        del result["text"]
        result["photo"] = [
            {
                "file_id": f"photo{message_id}",
                "file_unique_id": f"p{message_id}",
                "width": width,
                "height": height,
                "file_size": len(content),
            }
        ]
        if caption:
            result["caption"] = caption
        return result

    def _message_json(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        chat_id = message["chat_id"]
        return {
            "message_id": message["message_id"],
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": self.me(),
            "text": tghtml.parse(text) if message.get("parse_mode") == "HTML" else text,
        }

    def _check_delivery(self, chat_id: int) -> None:
        with self._lock:
            if self.server_errors > 0 or time.monotonic() < self.outage_until:
                self.server_errors = max(0, self.server_errors - 1)
                raise Failure(502, "Bad Gateway")
            if chat_id in self.blocked:
                raise Failure(403, "Forbidden: bot was blocked by the user")
            if chat_id in self.kicked:
                raise Failure(403, "Forbidden: bot was kicked from the supergroup chat")
            if chat_id in self.missing:
                raise Failure(400, "Bad Request: chat not found")
            if chat_id in self.migrated:
                raise Failure(400, "Bad Request: group chat was upgraded to a supergroup chat",
                              {"migrate_to_chat_id": self.migrated[chat_id]})  # fmt: skip
            if self.flood > 0:
                self.flood -= 1
                raise Failure(429, f"Too Many Requests: retry after {self.flood_retry_after}",
                              {"retry_after": self.flood_retry_after})  # fmt: skip

    def _check_text(self, text: str, parse_mode: Any, limit: int = 4096) -> None:
        if not text.strip():
            raise Failure(400, "Bad Request: message text is empty")
        visible = text
        if parse_mode == "HTML":
            try:
                visible = tghtml.parse(text)
            except ValueError as exc:
                raise Failure(400, f"Bad Request: {exc}") from exc
        elif parse_mode is not None:
            raise Failure(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")
        if not visible.strip():
            raise Failure(400, "Bad Request: message text is empty")
        if tghtml.utf16_len(visible) > limit:
            raise Failure(400, "Bad Request: message is too long")

    def _check_markup(self, markup: Any) -> None:
        if markup is None:
            return
        rows = markup.get("inline_keyboard")
        if not isinstance(rows, list):
            raise Failure(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                if not str(button.get("text", "")).strip():
                    raise Failure(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise Failure(400, "Bad Request: BUTTON_DATA_INVALID")


def _image_size(content: bytes) -> tuple[int, int]:
    """(width, height) of a PNG or JPEG; Telegram refuses what it cannot read as a photo."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and content[12:16] == b"IHDR":
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    if content.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(content):
            marker, size = content[i + 1], int.from_bytes(content[i + 2 : i + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                height = int.from_bytes(content[i + 5 : i + 7], "big")
                return int.from_bytes(content[i + 7 : i + 9], "big"), height
            i += 2 + size
    raise Failure(400, "Bad Request: IMAGE_PROCESS_FAILED")


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


_URL = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>\w+)$")


class FakeRequest(BaseRequest):
    """In-process transport: python-telegram-bot's requests go straight to a FakeTelegram."""

    def __init__(self, api: FakeTelegram, read_timeout: float | None = 5.0) -> None:
        self.api = api
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        match = _URL.search(url)
        assert match, url
        if self.api.network_failures > 0:
            self.api.network_failures -= 1
            raise ConnectionError("connection reset by the fake network")
        params = dict(request_data.parameters) if request_data else {}
        if request_data and request_data.contains_files:
            params.update({k: v for k, v in request_data.multipart_data.items()})
        # getUpdates may wait (long polling): keep the event loop free meanwhile.
        if match["method"] == "getUpdates":
            status, body = await asyncio.to_thread(
                self.api.handle, match["token"], match["method"], params
            )
        else:
            status, body = self.api.handle(match["token"], match["method"], params)
        if self.api.take_late_answer(match["method"]):
            raise TimedOut("fake timeout: delivered, answered too late")
        return status, json.dumps(body).encode()


class FakeServer:
    """The same fake over HTTP on 127.0.0.1, for `careerbot run` in a subprocess."""

    def __init__(self, api: FakeTelegram) -> None:
        self.api = api
        fake = api

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                ctype = self.headers.get("Content-Type", "")
                params: dict[str, Any] = {}
                if ctype.startswith("application/json") and raw:
                    params = json.loads(raw)
                elif ctype.startswith("application/x-www-form-urlencoded"):
                    params = {k: _json(v[0]) for k, v in parse_qs(raw.decode()).items()}
                elif ctype.startswith("multipart/form-data"):
                    params = _multipart_fields(raw, ctype)
                match = _URL.search(self.path)
                if not match:
                    self.send_error(404)
                    return
                status, body = fake.handle(match["token"], match["method"], params)
                if fake.take_late_answer(match["method"]):
                    time.sleep(fake.late_delay)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                return

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                return  # a client killed mid-request (the crash drills): nothing to report

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """What TELEGRAM_API_BASE_URL must be set to."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _multipart_fields(raw: bytes, ctype: str) -> dict[str, Any]:
    boundary = ctype.split("boundary=")[-1].strip('"').encode()
    fields: dict[str, Any] = {}
    for part in raw.split(b"--" + boundary):
        head, _, body = part.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        if name:
            value = body.rstrip(b"\r\n")
            fields[name.group(1).decode()] = (
                value if b"filename=" in head else _json(value.decode("utf-8", "replace"))
            )
    return fields
