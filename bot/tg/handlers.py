"""Telegram handlers for free text and buttons: thin functions from updates to the advisor and
back; commands live in `bot.tg.commands`."""

from __future__ import annotations

import time
from dataclasses import replace

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ContextTypes, filters

from bot.answering import render
from bot.answering.answer import Answer
from bot.coaching import nudges
from bot.domain import Query
from bot.storage.health import is_write_failure
from bot.tg import keyboards
from bot.tg.delivery import CURRENT, best_effort
from bot.tg.deps import deps, log, log_update, send, send_reply, where
from bot.tg.nudger import month_start


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
    for text in message.parse_entities([MessageEntity.MENTION]).values():
        if text.lower() == f"@{username.lower()}":
            return True
    return False


def _without_mention(message: Message) -> str:
    """The text with the bot's @mention removed."""
    text = message.text or ""
    username = message.get_bot().username
    if username:
        text = text.replace(f"@{username}", " ").replace(f"@{username.lower()}", " ")
    return text.strip()


# -- free text and buttons -----------------------------------------------------------------------


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question in free text: the advisor's answer with follow-up buttons."""
    started = time.perf_counter()
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    _, advisor = deps(context).ready
    text = _without_mention(message)
    log.debug("update=%s text=%r", update.update_id, text)
    reply = await advisor.ask(user.id, text, deps(context).clock())
    await send_reply(update, context, reply)
    log_update(update, reply.intent, started)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A pressed inline button: answered at once, then handled as if the user had asked."""
    started = time.perf_counter()
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    d = deps(context)
    storage, advisor = d.ready
    try:
        kind, args = keyboards.decode(query.data or "", d.kb)
    except keyboards.BadCallback:
        await best_effort(lambda: query.answer("This button is no longer valid. Try /help."),
                          "answering a button")  # fmt: skip
        log_update(update, "button:invalid", started)
        return
    if not _belongs_to(update):
        await best_effort(lambda: query.answer("These buttons belong to someone else's message."),
                          "answering a button")  # fmt: skip
        log_update(update, "button:not_yours", started)
        return
    await best_effort(query.answer, "answering a button")
    now = d.clock()
    if kind == "q":
        reply = await advisor.run(user.id, keyboards.query_from(args), now)
        await send_reply(update, context, reply)
        what = reply.intent
    elif kind == "pl":
        profile = await advisor.profile(user.id)
        planned = await advisor.planner.mark(profile, args[0], args[1], now)
        html = render.html(planned.answer, d.kb.sources)
        markup = keyboards.plan_items(list(planned.items))
        edited: object = None
        if query.message is not None:
            edited = await best_effort(
                lambda: query.edit_message_text(html, parse_mode=ParseMode.HTML,
                                                reply_markup=markup),
                "editing the plan",
            )  # fmt: skip
        if not edited:  # the message is gone or can no longer be edited: say it anew
            await send(update, context, planned.answer, markup)
        what = f"plan:{args[1]}"
    elif kind == "lvl":
        reply = await advisor.run(user.id, Query("set_level", level=args[0]), now)
        await send(update, context, reply.answer)
        if (await advisor.profile(user.id)).market is None:
            await ask_market(update, context)
        else:
            await offer_nudges(update, context)
        what = "set_level"
    elif kind == "mkt":
        if args[0] == "skip":
            await send(update, context, Answer("No problem: ask me anything.", None, (), ()))
        else:
            reply = await advisor.run(user.id, Query("set_market", market=args[0]), now)
            await send(update, context, reply.answer)
        await offer_nudges(update, context)
        what = "set_market"
    elif kind == "nud":
        words = "off" if args[0] == "no" else args[0]
        answer = await advisor.change_nudges(user.id, words, now)
        await send(update, context, answer, suggest=False)
        what = f"nudges:{args[0]}"
    elif kind == "ndg":
        await _nudge_button(update, context, args[0], args[1])
        what = f"nudge:{args[0]}"
    else:  # forget confirmation
        if args[0] == "yes":
            existed = await storage.forget(user.id)
            await send(update, context, advisor.replies.forgotten(existed), suggest=False)
        else:
            await send(update, context, Answer("Nothing was deleted.", None), suggest=False)
        what = "forget"
    log_update(update, what, started)


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
    return bool(asked and asked.from_user and asked.from_user.id == query.from_user.id)


async def offer_nudges(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Once, after the level is known: would the user like nudges? Nothing is sent otherwise."""
    storage, advisor = deps(context).ready
    user = update.effective_user
    assert user is not None
    profile = await advisor.profile(user.id)
    if profile.level is None or await storage.nudges_offered(user.id):
        return
    answer = Answer(
        "Want a small next step now and then?",
        "One concrete step for your level, never at night; change or stop it any time.",
    )
    await send(update, context, answer, keyboards.nudge_choices(offer=True))


async def _nudge_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, action: str, tip_id: str
) -> None:
    d = deps(context)
    storage, advisor = d.ready
    user = update.effective_user
    assert user is not None
    now = d.clock()
    if action == "done":
        if d.kb.plan_item(tip_id):  # a plan item nudged: done on the plan too
            await storage.set_plan_statuses(user.id, {tip_id: "done"}, now)
        await storage.nudge_event(user.id, tip_id, "done", now)
        done = await storage.count_events(user.id, "done", month_start(now))
        await send(update, context, advisor.replies.step_done(done), suggest=False)
    elif action == "more":
        assert d.nudger is not None
        profile = await advisor.profile(user.id)
        tip = await d.nudger.next_step(user.id, profile.level)
        done = await storage.count_events(user.id, "done", month_start(now))
        await storage.nudge_event(user.id, tip.id, "another", now)
        await storage.nudge_event(user.id, tip.id, "sent", now)
        await send(update, context, advisor.replies.nudge(tip, done), keyboards.nudge(tip.id))
    elif action == "snooze":
        state = nudges.snooze((await advisor.profile(user.id)).nudges, now)
        await storage.save_nudges(user.id, state, now)
        await storage.nudge_event(user.id, tip_id, "snoozed", now)
        await send(update, context, advisor.replies.nudge_status(state, "Snoozed for a day."),
                    suggest=False)  # fmt: skip
    else:  # pause
        answer = await advisor.change_nudges(user.id, "off", now)
        await storage.nudge_event(user.id, tip_id, "paused", now)
        await send(update, context, replace(answer, heading="Nudges paused."), suggest=False)


async def ask_market(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask where the user works, with market buttons (optional)."""
    answer = Answer("Where do you work? (optional)", "Pay answers use figures for your market.")
    await send(update, context, answer, keyboards.markets(deps(context).kb))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
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
            # Not numbered in the outbox: the update may be tried again and then answered.
            sender, chat_id, extra = deps(context).send, update.effective_chat.id, where(update)
            await sender.call(
                chat_id,
                lambda ticket: sender.bot.send_message(chat_id, text, rate_limit_args=ticket,
                                                       **extra),
                keyed=False,
            )  # fmt: skip
        except Exception:  # the chat may be unreachable: the failure is logged above
            log.warning("update=%s: could not tell the user about the failure", update_id)
