"""What every Telegram handler shares: the dependencies, sending answers, logging each update."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from telegram import InlineKeyboardMarkup, ReplyParameters, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.advisor import Advisor, Reply
from bot.answering import render
from bot.answering.answer import Answer
from bot.config import Settings
from bot.knowledge.model import KnowledgeBase
from bot.storage.durable import Outbox
from bot.storage.health import is_write_failure
from bot.storage.store import Storage
from bot.tg import keyboards
from bot.tg.delivery import Sender, send_document, send_html
from bot.tg.nudger import Nudger

log = logging.getLogger("bot.updates")


@dataclass
class Deps:
    """What the handlers need; storage and advisor are opened at start-up (post_init)."""

    kb: KnowledgeBase
    settings: Settings
    clock: Callable[[], datetime]
    storage: Storage | None = None
    advisor: Advisor | None = None
    nudger: Nudger | None = None
    sender: Sender | None = None
    outbox: Outbox | None = None

    @property
    def ready(self) -> tuple[Storage, Advisor]:
        """Storage and advisor, which exist once the application is initialized."""
        assert self.storage is not None and self.advisor is not None
        return self.storage, self.advisor

    @property
    def send(self) -> Sender:
        """The sender (exists once the application is initialized)."""
        assert self.sender is not None
        return self.sender


def deps(context: ContextTypes.DEFAULT_TYPE) -> Deps:
    """The application's dependencies."""
    return cast(Deps, context.application.bot_data["deps"])


def where(update: Update) -> dict[str, Any]:
    """Where an answer to this update goes: the forum topic it came from, and in groups a reply
    to the asker's message (which is how a button later tells whose message it belongs to)."""
    message = update.effective_message
    if message is None:
        return {}
    chat = message.chat
    out: dict[str, Any] = {}
    if message.is_topic_message and message.message_thread_id:
        out["message_thread_id"] = message.message_thread_id
    if chat.type == ChatType.PRIVATE:
        return out
    if update.callback_query is not None:
        # A button's answer replies to the message the button's message replied to.
        asked = message.reply_to_message
        if asked is not None:
            out["reply_parameters"] = ReplyParameters(asked.message_id,
                                                      allow_sending_without_reply=True)  # fmt: skip
        return out
    out["reply_parameters"] = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    return out


async def send(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    answer: Answer,
    keyboard: InlineKeyboardMarkup | None = None,
    suggest: bool = True,
) -> None:
    """An answer as Telegram HTML, with `keyboard` or else its follow-up suggestions."""
    d = deps(context)
    chat = update.effective_chat
    if chat is None:
        return
    html = render.html(answer, d.kb.sources)
    markup = keyboard
    if markup is None and suggest:
        markup = keyboards.suggestions(answer.suggestions)
    await send_html(d.send, chat.id, html, markup, on_blocked=_on_blocked(update, context),
                    **where(update))  # fmt: skip


def _on_blocked(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> Callable[[], Coroutine[Any, Any, None]]:
    """What to do when the chat refuses messages: a private chat's user blocked the bot."""
    d = deps(context)
    chat, user = update.effective_chat, update.effective_user

    async def blocked() -> None:
        if chat is not None and user is not None and chat.id == user.id:
            storage, _ = d.ready
            await storage.mark_blocked(user.id, d.clock())

    return blocked


def log_update(update: Update, what: str, started: float) -> None:
    """One INFO line per update: id, user id, what it was, latency (never the text)."""
    user = update.effective_user
    log.info(
        "update=%s user=%s intent=%s latency_ms=%.1f",
        update.update_id,
        user.id if user else "-",
        what,
        (time.perf_counter() - started) * 1000,
    )


# A command's own work; it may return a more precise label for the log line.
CommandBody = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, str | None]]
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def command(name: str, *, note_seen: bool = True) -> Callable[[CommandBody], Handler]:
    """Make a command handler: it notes that the user wrote (unless told not to) and logs one
    line with its latency, as "command:NAME" or the label the body returns."""

    def wrap(body: CommandBody) -> Handler:
        @functools.wraps(body)
        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            started = time.perf_counter()
            if note_seen:
                await seen(update, context)
            label = await body(update, context)
            log_update(update, label or f"command:{name}", started)

        return handler

    return wrap


async def seen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record that the user wrote (active users; clears a blocked mark). Best-effort: on a full
    disk, a command that only reads still answers."""
    d = deps(context)
    storage, _ = d.ready
    if update.effective_user:
        try:
            await storage.seen(update.effective_user.id, d.clock())
        except Exception as exc:
            if not is_write_failure(exc):
                raise
            log.warning("update=%s: could not note the user as seen (%s)", update.update_id, exc)


async def send_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> None:
    """An advisor reply: its answer, buttons (plan items or follow-ups), and any document."""
    keyboard = keyboards.plan_items(list(reply.items)) if reply.items else None
    await send(update, context, reply.answer, keyboard)
    if reply.document and update.effective_chat:
        await send_document(deps(context).send, update.effective_chat.id, reply.document.filename,
                            reply.document.text, on_blocked=_on_blocked(update, context),
                            **where(update))  # fmt: skip
