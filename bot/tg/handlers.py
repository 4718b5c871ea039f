"""Telegram handlers for messages, buttons and chat events: thin functions from updates to the
advisor and the core services and back; commands live in `bot.tg.commands`."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, filters

from bot.answering.answer import Answer
from bot.front import BadPick
from bot.storage.health import is_write_failure
from bot.tg import keyboards
from bot.tg.delivery import CURRENT, best_effort
from bot.tg.deps import (
    ANONYMOUS_ANSWER,
    Ctx,
    anonymous,
    forwarded,
    log,
    log_update,
    send,
    show,
    speaker,
    where,
)


class AddressedToBot(filters.MessageFilter):
    """Private messages, and in groups only mentions of the bot or replies to its messages."""

    def filter(self, message: Message) -> bool:
        """True when the message is for this bot."""
        if message.chat.type == ChatType.PRIVATE:
            return True
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        return _mentions_bot(message, bot.username)


def _mentions_bot(message: Message, username: str | None) -> bool:
    if not username:
        return False
    mentions = message.parse_entities([MessageEntity.MENTION]) if message.text else (
        message.parse_caption_entities([MessageEntity.MENTION]))  # fmt: skip
    return any(text.lower() == f"@{username.lower()}" for text in mentions.values())


def _without_mention(message: Message) -> str:
    """The text (or a photo's or document's caption) with the bot's @mention removed."""
    text = message.text or message.caption or ""
    username = message.get_bot().username
    if username:
        text = text.replace(f"@{username}", " ").replace(f"@{username.lower()}", " ")
    return text.strip()


# -- messages ------------------------------------------------------------------------------------


async def on_text(update: Update, context: Ctx) -> None:
    """A question in free text (or a caption): the advisor's answer with follow-up buttons.
    A forwarded message is someone else's words, and an anonymous admin can't be told apart:
    the advisor is told, and stores nothing from them."""
    started = time.perf_counter()
    message, who = update.effective_message, speaker(update)
    if message is None or who is None:
        return
    d = context.deps
    text = _without_mention(message)
    log.debug("update=%s text=%r", update.update_id, text)
    # Commands have their own handlers: a message here is words, even one starting with "/"
    # (a forwarded command is someone else's words).
    _, advisor = d.ready
    reply = await advisor.ask(who, text, d.clock(), forwarded=forwarded(message),
                              anonymous=anonymous(update))  # fmt: skip
    await show(update, context, await d.shows.shown(who, reply))
    log_update(update, reply.intent, started)


async def on_other(update: Update, context: Ctx) -> None:
    """A message the bot cannot read (a sticker, a voice note, a location...): say what it can."""
    started = time.perf_counter()
    answer = Answer(
        "I can only read text.",
        "Ask me in words, e.g. “what skills for senior?”; a caption on a photo or a file works "
        "too. /help lists what I can do.",
    )
    await send(update, context, answer)
    log_update(update, "unreadable", started)


async def on_my_chat_member(update: Update, context: Ctx) -> None:
    """Telegram tells the bot a chat's state changed for it: in a private chat, the user blocked
    (kicked) or unblocked it; stored state follows, not only the errors sends return."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return  # a group: kicks concern the group, never a user's nudges
    d = context.deps
    if change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
        await d.core.blocked(change.from_user.id, d.clock())
        what = "chat:blocked"
    else:
        await d.core.seen(change.from_user.id, d.clock())
        what = "chat:unblocked"
    log_update(update, what, time.perf_counter())


# -- buttons -------------------------------------------------------------------------------------

ButtonBody = Callable[[Update, Ctx, int, tuple[str, ...]], Coroutine[Any, Any, str]]
ButtonHandler = Callable[[Update, Ctx], Coroutine[Any, Any, None]]
# Longer notices under a pressed button are alerts the user dismisses, not passing toasts.
TOAST_CHARS = 60
# Picks that only read: an anonymous admin may make them.
READ_ONLY = frozenset({"q", "pli", "chart"})


def button(kind: str, *, changes: bool = True) -> Callable[[ButtonBody], ButtonHandler]:
    """Make the handler of one kind of button: it checks the button is the presser's, runs the
    body with the pattern's groups (the body answers the callback: best-effort, since a press
    from before a restart is "too old" to answer, and is carried out all the same), logs one
    line."""

    def wrap(body: ButtonBody) -> ButtonHandler:
        @functools.wraps(body)
        async def handler(update: Update, context: Ctx) -> None:
            started = time.perf_counter()
            query, who = update.callback_query, speaker(update)
            if query is None or who is None:
                return
            if not _belongs_to(update):
                await best_effort(
                    lambda: query.answer("These buttons belong to someone else's message."),
                    "answering a button",
                )
                log_update(update, "button:not_yours", started)
                return
            if changes and anonymous(update):
                await best_effort(query.answer, "answering a button")
                await send(update, context, ANONYMOUS_ANSWER)
                return
            match = context.matches[0] if context.matches else None
            args = match.groups() if isinstance(match, re.Match) else ()
            try:
                what = await body(update, context, who, args)
            except (keyboards.BadCallback, BadPick):
                await _invalid(update, started)
                return
            log_update(update, what, started)

        return handler

    return wrap


async def _invalid(update: Update, started: float) -> None:
    query = update.callback_query
    assert query is not None
    await best_effort(lambda: query.answer("This button is no longer valid. Try /help."),
                      "answering a button")  # fmt: skip
    log_update(update, "button:invalid", started)


async def _answered(update: Update, text: str | None = None) -> None:
    query = update.callback_query
    assert query is not None
    # A notice longer than a glance (how to show a plan item) stays until dismissed.
    alert = text is not None and len(text) > TOAST_CHARS
    await best_effort(lambda: query.answer(text, show_alert=alert), "answering a button")


async def on_unknown_button(update: Update, context: Ctx) -> None:
    """Callback data this bot does not produce (an old version's buttons, or tampering)."""
    await _invalid(update, time.perf_counter())


def _pick(kind: str) -> ButtonHandler:
    """The handler of a kind of option `bot.front` offers: the front carries it out, the
    callback is answered (with the pick's notice, if it has one), its messages are shown."""

    async def body(update: Update, context: Ctx, who: int, args: tuple[str, ...]) -> str:
        d = context.deps
        shown = await d.shows.pick(who, kind, args, d.clock())
        toast = next((s.toast for s in shown if s.toast), None)
        await _answered(update, toast)
        for one in shown:
            if one.toast is None:
                await show(update, context, one)
        return f"{kind}:{shown[0].reply.intent}" if shown else kind

    body.__name__ = f"on_{kind}_button"
    return button(kind, changes=kind not in READ_ONLY)(body)


@button("ndg")
async def on_nudge_button(update: Update, context: Ctx, who: int, args: tuple[str, ...]) -> str:
    """Under a nudge: Done, Another tip, Snooze a day, Pause nudges."""
    d = context.deps
    tips = {t.id for t in d.kb.tips}
    action = args[0]
    step_id = keyboards.known_step(args[1], tips, d.kb.plan_item(args[1]) is not None)
    await _answered(update)
    core, now = d.core, d.clock()
    if action == "done":
        await send(update, context, await core.nudge_done(who, step_id, now))
    elif action == "more":
        answer, next_id = await core.nudge_another(who, now)
        await send(update, context, answer, keyboards.nudge(next_id))
    elif action == "snooze":
        await send(update, context, await core.nudge_snooze(who, step_id, now))
    else:
        await send(update, context, await core.nudge_pause(who, step_id, now))
    return f"nudge:{action}"


def button_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    """One CallbackQueryHandler per kind of button, then one for anything else."""
    handlers: list[BaseHandler[Update, Ctx, None]] = [
        CallbackQueryHandler(on_nudge_button if kind == "ndg" else _pick(kind), pattern=pattern)
        for kind, pattern in keyboards.PATTERNS.items()
    ]
    handlers.append(CallbackQueryHandler(on_unknown_button))
    return handlers


def _belongs_to(update: Update) -> bool:
    """A button acts only for the user whose message it is under: in a private chat that is
    the chat's user; in a group, the user the bot's message replied to."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is None or not isinstance(message, Message):
        return True  # an inline-mode message: only its sender sees its buttons
    if message.chat.type == ChatType.PRIVATE:
        return True
    asked = message.reply_to_message
    if asked is None:
        return False
    if asked.sender_chat is not None:  # asked by an anonymous admin: who that was is unknown
        return False
    return bool(asked.from_user and asked.from_user.id == query.from_user.id)


async def on_error(update: object, context: Ctx) -> None:
    """Log a failure with its context and tell the user: a write that failed (a full disk) is
    to be tried again later; anything else went wrong on the bot's side."""
    user = update.effective_user.id if isinstance(update, Update) and update.effective_user else "-"
    update_id = update.update_id if isinstance(update, Update) else "-"
    work = CURRENT.get()
    if is_write_failure(context.error):
        log.error("update=%s user=%s: could not write to the database (%s); kept for a retry",
                  update_id, user, context.error)  # fmt: skip
        text = "I couldn't save that; try again later."
        if work is not None:
            work.write_failed = True
            if work.apologized:  # the same update failing again: one apology is enough
                return
            work.apologized = True
    else:
        log.error("update=%s user=%s failed: %s", update_id, user, type(context.error).__name__,
                  exc_info=context.error)  # fmt: skip
        text = "Sorry, something went wrong on my side. Please try again in a moment."
    if isinstance(update, Update) and update.effective_chat:
        try:
            sender, chat_id, extra = context.deps.send, update.effective_chat.id, where(update)
            # Not numbered in the outbox: the update may be tried again and then answered.
            await sender.call(
                chat_id,
                lambda ticket: sender.bot.send_message(chat_id, text, rate_limit_args=ticket,
                                                       **extra),
                keyed=False,
            )  # fmt: skip
        except Exception:  # the chat may be unreachable: the failure is logged above
            log.warning("update=%s: could not tell the user about the failure", update_id)
