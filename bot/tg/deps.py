"""What every Telegram handler shares: the typed context with the dependencies, who is speaking,
where an answer goes, sending answers and logging each update."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.advisor import Advisor
from bot.answering import render
from bot.answering.answer import Answer
from bot.config import Settings
from bot.front import Front, Shown
from bot.knowledge.model import KnowledgeBase
from bot.services import Services
from bot.storage.durable import Outbox
from bot.storage.store import Storage
from bot.tg import keyboards
from bot.tg.delivery import Sender, best_effort, send_document, send_html, send_photo
from bot.tg.nudger import Nudger

log = logging.getLogger("bot.updates")

# Senders that stand for a whole chat: an anonymous group admin, a channel.
ANONYMOUS_SENDERS = frozenset({1087968824, 136817688})


@dataclass
class Deps:
    """What the handlers need; storage, advisor and services are opened at start-up."""

    kb: KnowledgeBase
    settings: Settings
    clock: Callable[[], datetime]
    storage: Storage | None = None
    advisor: Advisor | None = None
    services: Services | None = None
    front: Front | None = None
    nudger: Nudger | None = None
    sender: Sender | None = None
    outbox: Outbox | None = None

    @property
    def ready(self) -> tuple[Storage, Advisor]:
        """Storage and advisor, which exist once the application is initialized."""
        assert self.storage is not None and self.advisor is not None
        return self.storage, self.advisor

    @property
    def core(self) -> Services:
        """The core services (exist once the application is initialized)."""
        assert self.services is not None
        return self.services

    @property
    def shows(self) -> Front:
        """What every front end shows (exists once the application is initialized)."""
        assert self.front is not None
        return self.front

    @property
    def send(self) -> Sender:
        """The sender (exists once the application is initialized)."""
        assert self.sender is not None
        return self.sender


class BotData:
    """The application's bot_data: the dependencies, set when the application is built."""

    def __init__(self) -> None:
        self.deps: Deps | None = None
        self.dispatch_nudges = True


class Ctx(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The handlers' context, with the dependencies typed."""

    @property
    def deps(self) -> Deps:
        """The application's dependencies."""
        deps = self.bot_data.deps
        assert deps is not None
        return deps


CONTEXT_TYPES = ContextTypes(context=Ctx, bot_data=BotData)
App = Application[ExtBot[None], Ctx, dict[Any, Any], dict[Any, Any], BotData, Any]


def app_deps(app: Application[Any, Any, Any, Any, Any, Any]) -> Deps:
    """The dependencies of an application built by bot.tg.app."""
    deps = app.bot_data.deps
    assert isinstance(deps, Deps)
    return deps


def speaker(update: Update) -> int | None:
    """Whose state an update is about: the user, or for an anonymous admin (or a channel) the
    chat they speak for, so that one group's anonymous admin shares nothing with another's."""
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id
    user = update.effective_user
    return user.id if user else None


def anonymous(update: Update) -> bool:
    """True when the speaker cannot be told apart from others (an anonymous group admin, a
    channel): nothing is stored for them."""
    message = update.effective_message
    user = update.effective_user
    return bool(
        (message is not None and message.sender_chat is not None)
        or (user is not None and user.id in ANONYMOUS_SENDERS)
    )


def forwarded(message: Message) -> bool:
    """True for a forwarded message: someone else's words."""
    return message.forward_origin is not None


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
    context: Ctx,
    answer: Answer,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """An answer as Telegram HTML, with `keyboard` if any."""
    d = context.deps
    chat = update.effective_chat
    if chat is None:
        return
    html = render.html(answer, d.kb.sources)
    await send_html(d.send, chat.id, html, keyboard, on_blocked=_on_blocked(update, context),
                    **where(update))  # fmt: skip


async def show(update: Update, context: Ctx, shown: Shown) -> None:
    """One message of the front end: its answer with its options as buttons (in place of the
    message whose button was pressed, when it says so), then its document or picture."""
    d = context.deps
    chat = update.effective_chat
    if chat is None:
        return
    markup = keyboards.markup(shown.rows)
    if shown.photo is not None:
        await send_photo(d.send, chat.id, shown.photo.filename, shown.photo.data,
                         shown.photo.caption, markup, on_blocked=_on_blocked(update, context),
                         **where(update))  # fmt: skip
        return
    query = update.callback_query
    if shown.edit and query is not None and query.message is not None:
        html = render.html(shown.answer, d.kb.sources)
        edited = await best_effort(
            lambda: query.edit_message_text(html, parse_mode=ParseMode.HTML,
                                            reply_markup=markup),
            "editing a message",
        )  # fmt: skip
        if edited:
            return
        # The message is gone or can no longer be edited: say it anew.
    await send(update, context, shown.answer, markup)
    document = shown.reply.document
    if document is not None:
        await send_document(d.send, chat.id, document.filename, document.text,
                            on_blocked=_on_blocked(update, context), **where(update))  # fmt: skip


def _on_blocked(update: Update, context: Ctx) -> Callable[[], Coroutine[Any, Any, None]]:
    """What to do when the chat refuses messages: only a private chat's refusal concerns the
    user (a group's kick or removal never stops their private nudges)."""
    d = context.deps
    chat, user = update.effective_chat, update.effective_user

    async def blocked() -> None:
        if chat is not None and user is not None and chat.id == user.id:
            await d.core.blocked(user.id, d.clock())

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
CommandBody = Callable[[Update, Ctx], Coroutine[Any, Any, str | None]]
Handler = Callable[[Update, Ctx], Coroutine[Any, Any, None]]


def command(
    name: str, *, note_seen: bool = True, changes: bool = False
) -> Callable[[CommandBody], Handler]:
    """Make a command handler: it notes that the user wrote (unless told not to) and logs one
    line with its latency, as "command:NAME" or the label the body returns. A command that
    `changes` what is stored is refused to a speaker who cannot be told apart."""

    def wrap(body: CommandBody) -> Handler:
        @functools.wraps(body)
        async def handler(update: Update, context: Ctx) -> None:
            started = time.perf_counter()
            if anonymous(update):
                if changes:
                    await send(update, context, ANONYMOUS_ANSWER)
                    log_update(update, f"command:{name}:anonymous", started)
                    return
            elif note_seen:
                await seen(update, context)
            label = await body(update, context)
            log_update(update, label or f"command:{name}", started)

        return handler

    return wrap


ANONYMOUS_ANSWER = Answer(
    "I can't tell which admin is writing.",
    "You are posting as the group, so I keep nothing for you; write from your own account "
    "to set a level, a market or nudges.",
)


async def seen(update: Update, context: Ctx) -> None:
    """Record that the user wrote (active users; clears a blocked mark). Best-effort."""
    d = context.deps
    who = speaker(update)
    if who is not None and not anonymous(update):
        await d.core.seen(who, d.clock())
