"""What every Telegram handler shares: the dependencies, sending answers, logging each update."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.advisor import Advisor, Reply
from bot.answering import render
from bot.answering.answer import Answer
from bot.config import Settings
from bot.knowledge.model import KnowledgeBase
from bot.storage.store import Storage
from bot.tg import keyboards
from bot.tg.delivery import send_document, send_html
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

    @property
    def ready(self) -> tuple[Storage, Advisor]:
        """Storage and advisor, which exist once the application is initialized."""
        assert self.storage is not None and self.advisor is not None
        return self.storage, self.advisor


def deps(context: ContextTypes.DEFAULT_TYPE) -> Deps:
    """The application's dependencies."""
    return cast(Deps, context.application.bot_data["deps"])


async def send(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    answer: Answer,
    keyboard: InlineKeyboardMarkup | None = None,
    suggest: bool = True,
) -> None:
    """An answer as Telegram HTML, with `keyboard` or else its follow-up suggestions."""
    d = deps(context)
    storage, _ = d.ready
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    html = render.html(answer, d.kb.sources)
    markup = keyboard
    if markup is None and suggest:
        markup = keyboards.suggestions(answer.suggestions)

    async def blocked() -> None:
        await storage.mark_blocked(user.id, d.clock())

    await send_html(context.bot, chat.id, html, markup, on_blocked=blocked)


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
    """Record that the user wrote (active users; clears a blocked mark)."""
    d = deps(context)
    storage, _ = d.ready
    if update.effective_user:
        await storage.seen(update.effective_user.id, d.clock())


async def send_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> None:
    """An advisor reply: its answer, buttons (plan items or follow-ups), and any document."""
    keyboard = keyboards.plan_items(list(reply.items)) if reply.items else None
    await send(update, context, reply.answer, keyboard)
    if reply.document and update.effective_chat:
        storage, _ = deps(context).ready
        user = update.effective_user
        assert user is not None

        async def blocked() -> None:
            await storage.mark_blocked(user.id, deps(context).clock())

        await send_document(context.bot, update.effective_chat.id, reply.document.filename,
                            reply.document.text, on_blocked=blocked)  # fmt: skip
