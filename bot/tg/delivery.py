"""Sending replies: split to Telegram's size, recorded in the outbox so that an update processed
twice never sends a reply twice, retried while errors prove a reply was not delivered."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ExtBot

from bot.answering.render import MAX_MESSAGE
from bot.storage.durable import FAILED, SENDING, SENT, UNKNOWN, Outbox
from bot.storage.health import is_write_failure
from bot.tg.pacing import INTERACTIVE, Ticket

log = logging.getLogger(__name__)
T = TypeVar("T")

# How long a reply is retried while errors prove it was not delivered (the default of
# CAREERBOT_SEND_RETRY), and the backoff between attempts.
SEND_WINDOW = 600.0
BACKOFF_START, BACKOFF_MAX = 0.5, 30.0
# Causes of a NetworkError that prove the request never reached Telegram.
_NOT_SENT_CAUSES = ("ConnectError", "ConnectTimeout", "PoolTimeout", "ConnectionRefusedError",
                    "ConnectionError", "WriteError", "WriteTimeout")  # fmt: skip


@dataclass
class Work:
    """The update being processed. Its replies are numbered in the order they are made, so a
    replay of the update skips those already sent."""

    update_id: int
    outbox: Outbox | None
    seq: int = 0
    write_failed: bool = False
    apologized: bool = False


CURRENT: ContextVar[Work | None] = ContextVar("careerbot_update", default=None)


class NotDelivered(Exception):
    """A message was certainly not delivered (errors that prove it, for longer than allowed)."""


class FateUnknown(Exception):
    """A message may or may not have been delivered (the request left, no answer came)."""


def proves_not_sent(exc: BaseException) -> bool:
    """True when a failed request certainly did not reach Telegram (connection refused or
    reset before sending, no pool slot, a 5xx answer, flood control)."""
    if isinstance(exc, RetryAfter):
        return True
    if isinstance(exc, TimedOut):
        return type(exc.__cause__).__name__ in _NOT_SENT_CAUSES or "Pool timeout" in str(exc)
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
        cause = exc.__cause__
        if cause is None:  # an HTTP error status from the server: 5xx
            return True
        return any(type(c).__name__ in _NOT_SENT_CAUSES for c in (cause, cause.__cause__))
    return False


class Sender:
    """Sends through the bot with the outbox's bookkeeping and a retry window."""

    def __init__(
        self,
        bot: ExtBot[Any],
        clock: Callable[[], datetime],
        window: float = SEND_WINDOW,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot, self.clock = bot, clock
        self.window = window
        self._sleep = sleep
        self._bookkeeping_failed = False

    async def call(
        self,
        chat_id: int,
        make: Callable[[Ticket | None], Awaitable[T]],
        priority: int = INTERACTIVE,
        keyed: bool = True,
        window: float | None = None,
        hooks: tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]] | None = None,
        strict: bool = False,
    ) -> T | None:
        """Run `make(ticket)` (a Bot API send) at most once per reply of the current update.

        None when the reply was already sent by an earlier processing of the update, or its
        fate is unknown (a timeout after the request left: never sent twice). Forbidden and
        BadRequest are raised; errors that prove non-delivery are retried for `window` s
        (default: the sender's). `hooks`: (before the request leaves, when it proved not
        delivered), for bookkeeping of the caller's own. `strict`: raise NotDelivered or
        FateUnknown instead of returning None.
        """
        work = CURRENT.get() if keyed else None
        key: tuple[Outbox, int, int] | None = None
        if work is not None and work.outbox is not None:
            key = (work.outbox, work.update_id, work.seq)
            work.seq += 1
            state = await self._record(key, chat_id, None)
            if state in (SENT, UNKNOWN, FAILED):
                log.info("update=%s reply %s already %s; not sent again", key[1], key[2], state)
                return None

        async def before() -> None:
            if key is not None:
                await self._record(key, chat_id, SENDING)
            if hooks is not None:
                await hooks[0]()

        async def not_sent() -> None:
            if key is not None:
                await self._record(key, chat_id, "")
            if hooks is not None:
                await hooks[1]()

        ticket = Ticket(priority, before, not_sent)
        deadline = time.monotonic() + (self.window if window is None else window)
        delay = BACKOFF_START
        while True:
            try:
                if self.bot.rate_limiter is None:
                    await before()
                    result = await make(None)
                else:
                    result = await make(ticket)
            except ChatMigrated:
                await not_sent()  # sent again to the chat's new id
                raise
            except (Forbidden, BadRequest):
                await self._record(key, chat_id, FAILED)
                raise
            except (NetworkError, RetryAfter) as exc:
                if not proves_not_sent(exc):
                    await self._record(key, chat_id, UNKNOWN)
                    log.warning("message to chat %s: %s after the request left; it may or may "
                                "not have arrived, and is not sent again", chat_id,
                                type(exc).__name__)  # fmt: skip
                    if strict:
                        raise FateUnknown(chat_id) from exc
                    return None
                await not_sent()
                wait = _retry_after(exc) if isinstance(exc, RetryAfter) else delay
                if time.monotonic() + wait > deadline:
                    if strict:
                        raise NotDelivered(chat_id) from exc
                    await self._record(key, chat_id, FAILED)
                    log.error("reply to chat %s not delivered in time (%s); given up",
                              chat_id, type(exc).__name__)  # fmt: skip
                    return None
                log.warning("message to chat %s not delivered (%s); retrying in %.1f s",
                            chat_id, type(exc).__name__, wait)  # fmt: skip
                await self._sleep(wait)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            await self._record(key, chat_id, SENT)
            return result

    async def _record(
        self, key: tuple[Outbox, int, int] | None, chat_id: int, state: str | None
    ) -> str | None:
        """Read (state None), write, or clear ("") the reply's outbox state. On a full disk the
        reply still goes out, without the record."""
        if key is None:
            return None
        outbox, update_id, seq = key
        try:
            if state is None:
                return await outbox.state(update_id, seq)
            if state == "":
                await outbox.forget(update_id, seq)
            else:
                await outbox.mark(update_id, seq, chat_id, state, self.clock())
        except Exception as exc:
            if not is_write_failure(exc):
                raise
            if not self._bookkeeping_failed:
                log.error("outbox not writable (%s); replies go out unrecorded", exc)
            self._bookkeeping_failed = True
            return None
        self._bookkeeping_failed = False
        return state


def _retry_after(exc: RetryAfter) -> float:
    value: Any = exc.retry_after
    seconds = float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)
    return seconds + 0.1


def split_html(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split rendered HTML at line breaks into messages of at most `limit` characters.

    The renderer never lets a tag span lines, so every line is well-formed on its own.
    """
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        # A single line longer than a message (never produced by the renderer) is cut hard.
        while len(line) > limit:
            parts.append(line[:limit])
            line = line[limit:]
        current = line
    if current:
        parts.append(current)
    return parts


async def best_effort(call: Callable[[], Awaitable[T]], what: str) -> T | bool | None:
    """Answering a button or editing a message: a harmless refusal ("query is too old",
    "message to edit not found") or a lost connection is logged and None returned, so the
    user's request is still carried out; "message is not modified" is a success (True)."""
    try:
        return await call()
    except (BadRequest, NetworkError) as exc:
        if isinstance(exc, RetryAfter | Forbidden):
            raise
        if "not modified" in exc.message:
            return True  # the message already says this (the same button pressed twice)
        log.info("%s skipped: %s", what, exc.message)
        return None


async def send_document(
    sender: Sender,
    chat_id: int,
    filename: str,
    text: str,
    on_blocked: Callable[[], Awaitable[None]] | None = None,
    **where: Any,
) -> Message | None:
    """Send a text file (a Markdown export); None if the chat refuses messages."""

    async def send(target: int, ticket: Ticket | None) -> Message:
        return await sender.bot.send_document(
            target,
            document=InputFile(text.encode("utf-8"), filename=filename),
            rate_limit_args=ticket,
            **where,
        )

    return await _to_chat(sender, chat_id, [send], INTERACTIVE, on_blocked)


async def send_photo(
    sender: Sender,
    chat_id: int,
    filename: str,
    data: bytes,
    caption: str,
    keyboard: InlineKeyboardMarkup | None = None,
    on_blocked: Callable[[], Awaitable[None]] | None = None,
    **where: Any,
) -> Message | None:
    """Send a picture (a pay chart) with a plain caption; None if the chat refuses messages."""

    async def send(target: int, ticket: Ticket | None) -> Message:
        return await sender.bot.send_photo(
            target,
            photo=InputFile(data, filename=filename),
            caption=caption[:1024],
            reply_markup=keyboard,
            rate_limit_args=ticket,
            **where,
        )

    return await _to_chat(sender, chat_id, [send], INTERACTIVE, on_blocked)


async def send_html(
    sender: Sender,
    chat_id: int,
    html: str,
    keyboard: InlineKeyboardMarkup | None = None,
    on_blocked: Callable[[], Awaitable[None]] | None = None,
    priority: int = INTERACTIVE,
    **where: Any,
) -> Message | None:
    """Send HTML (split if needed, buttons on the last part); None if the chat refuses messages
    or the reply was already sent. `where`: message_thread_id / reply_parameters."""
    parts = split_html(html)
    sends = []
    for i, part in enumerate(parts):
        markup = keyboard if i == len(parts) - 1 else None

        async def send(
            target: int,
            ticket: Ticket | None,
            text: str = part,
            markup: InlineKeyboardMarkup | None = markup,
        ) -> Message:
            return await sender.bot.send_message(
                target,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=None,
                rate_limit_args=ticket,
                **where,
            )

        sends.append(send)
    return await _to_chat(sender, chat_id, sends, priority, on_blocked)


# Refusals that concern the chat as a whole: the bot was blocked, kicked or removed, the user
# deactivated, or the chat no longer exists.
_CHAT_GONE = ("chat not found", "bot was kicked", "bot is not a member", "user is deactivated",
              "have no rights to send", "need administrator rights")  # fmt: skip


def chat_gone(exc: BadRequest) -> bool:
    """True when a 400 means the chat itself is gone (not found, bot removed), not the message."""
    return any(m in exc.message.lower() for m in _CHAT_GONE)


def _bound(
    send: Callable[[int, Ticket | None], Awaitable[Message]], target: int
) -> Callable[[Ticket | None], Awaitable[Message]]:
    async def call(ticket: Ticket | None) -> Message:
        return await send(target, ticket)

    return call


async def _to_chat(
    sender: Sender,
    chat_id: int,
    sends: Sequence[Callable[[int, Ticket | None], Awaitable[Message]]],
    priority: int,
    on_blocked: Callable[[], Awaitable[None]] | None,
) -> Message | None:
    """Run the sends in order to one chat: a group that became a supergroup is followed to its
    new id; a chat that refuses messages (blocked, kicked, not found) ends it, with on_blocked."""
    message: Message | None = None
    target = chat_id
    for send in sends:
        for _ in range(2):
            try:
                result = await sender.call(target, _bound(send, target), priority)
                message = result if result is not None else message
                break
            except ChatMigrated as exc:
                log.info("chat %s moved to %s; sending there", target, exc.new_chat_id)
                target = int(exc.new_chat_id)
            except (Forbidden, BadRequest) as exc:
                if isinstance(exc, BadRequest) and not chat_gone(exc):
                    raise
                log.info("chat %s refuses messages: %s", target, exc.message)
                if on_blocked:
                    await on_blocked()
                return None
    return message
