"""Telegram handlers: thin functions from updates to the advisor and back."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from html import escape
from typing import cast

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ContextTypes, filters

from bot import nudges, plans, render
from bot.advisor import Advisor, Reply
from bot.answer import Answer, Block, Line
from bot.config import Settings
from bot.dialogue import Profile, Query
from bot.knowledge import KnowledgeBase
from bot.storage import Storage
from bot.tg import keyboards
from bot.tg.delivery import send_document, send_html, with_retries
from bot.tg.nudger import Nudger, month_start

log = logging.getLogger("bot.updates")

COMMANDS = (
    ("start", "Start, or see what I remember about you"),
    ("help", "What I can do"),
    ("level", "Set your level, e.g. /level senior"),
    ("market", "Set your market, e.g. /market uk"),
    ("profile", "What I store about you"),
    ("forget", "Delete everything I store about you"),
    ("sources", "The documents behind my answers"),
    ("plan", "Your checklist for the next level; /plan export for a file"),
    ("nudges", "Next-step reminders: weekly, daily or off"),
    ("timezone", "Your time zone for nudges, e.g. Europe/London"),
)


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


# -- sending -------------------------------------------------------------------------------------


async def _send(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    answer: Answer,
    keyboard: InlineKeyboardMarkup | None = None,
    suggest: bool = True,
) -> None:
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


def _log(update: Update, what: str, started: float) -> None:
    user = update.effective_user
    log.info(
        "update=%s user=%s intent=%s latency_ms=%.1f",
        update.update_id,
        user.id if user else "-",
        what,
        (time.perf_counter() - started) * 1000,
    )


async def _seen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    storage, _ = d.ready
    if update.effective_user:
        await storage.seen(update.effective_user.id, d.clock())


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
    await _send_reply(update, context, reply)
    _log(update, reply.intent, started)


async def _send_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> None:
    """An advisor reply: its answer, buttons (plan items or follow-ups), and any document."""
    keyboard = keyboards.plan_items(list(reply.items)) if reply.items else None
    await _send(update, context, reply.answer, keyboard)
    if reply.document and update.effective_chat:
        storage, _ = deps(context).ready
        user = update.effective_user
        assert user is not None

        async def blocked() -> None:
            await storage.mark_blocked(user.id, deps(context).clock())

        await send_document(context.bot, update.effective_chat.id, reply.document.filename,
                            reply.document.text, on_blocked=blocked)  # fmt: skip


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
        await query.answer("This button is no longer valid. Try /help.")
        _log(update, "button:invalid", started)
        return
    await query.answer()
    now = d.clock()
    if kind == "q":
        reply = await advisor.run(user.id, keyboards.query_from(args), now)
        await _send_reply(update, context, reply)
        what = reply.intent
    elif kind == "pl":
        profile = await advisor.profile(user.id)
        planned = await advisor.planner.mark(profile, args[0], args[1], now)
        html = render.html(planned.answer, d.kb.sources)
        markup = keyboards.plan_items(list(planned.items))
        if query.message is not None:
            await with_retries(lambda: query.edit_message_text(html, parse_mode=ParseMode.HTML,
                                                               reply_markup=markup))  # fmt: skip
        what = f"plan:{args[1]}"
    elif kind == "lvl":
        reply = await advisor.run(user.id, Query("set_level", level=args[0]), now)
        await _send(update, context, reply.answer)
        if (await advisor.profile(user.id)).market is None:
            await _ask_market(update, context)
        else:
            await _offer_nudges(update, context)
        what = "set_level"
    elif kind == "mkt":
        if args[0] == "skip":
            await _send(update, context, Answer("No problem: ask me anything.", None, (), ()))
        else:
            reply = await advisor.run(user.id, Query("set_market", market=args[0]), now)
            await _send(update, context, reply.answer)
        await _offer_nudges(update, context)
        what = "set_market"
    elif kind == "nud":
        words = "off" if args[0] == "no" else args[0]
        answer = await advisor.change_nudges(user.id, words, now)
        await _send(update, context, answer, suggest=False)
        what = f"nudges:{args[0]}"
    elif kind == "ndg":
        await _nudge_button(update, context, args[0], args[1])
        what = f"nudge:{args[0]}"
    else:  # forget confirmation
        if args[0] == "yes":
            existed = await storage.forget(user.id)
            await _send(update, context, advisor.replies.forgotten(existed), suggest=False)
        else:
            await _send(update, context, Answer("Nothing was deleted.", None), suggest=False)
        what = "forget"
    _log(update, what, started)


async def _offer_nudges(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
    await _send(update, context, answer, keyboards.nudge_choices(offer=True))


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
        await _send(update, context, advisor.replies.step_done(done), suggest=False)
    elif action == "more":
        assert d.nudger is not None
        profile = await advisor.profile(user.id)
        tip = await d.nudger.next_step(user.id, profile.level)
        done = await storage.count_events(user.id, "done", month_start(now))
        await storage.nudge_event(user.id, tip.id, "another", now)
        await storage.nudge_event(user.id, tip.id, "sent", now)
        await _send(update, context, advisor.replies.nudge(tip, done), keyboards.nudge(tip.id))
    elif action == "snooze":
        state = nudges.snooze((await advisor.profile(user.id)).nudges, now)
        await storage.save_nudges(user.id, state, now)
        await storage.nudge_event(user.id, tip_id, "snoozed", now)
        await _send(update, context, advisor.replies.nudge_status(state, "Snoozed for a day."),
                    suggest=False)  # fmt: skip
    else:  # pause
        answer = await advisor.change_nudges(user.id, "off", now)
        await storage.nudge_event(user.id, tip_id, "paused", now)
        await _send(update, context, replace(answer, heading="Nudges paused."), suggest=False)


async def _ask_market(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    answer = Answer("Where do you work? (optional)", "Pay answers use figures for your market.")
    await _send(update, context, answer, keyboards.markets(deps(context).kb))


# -- commands ------------------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: a welcome and the level picker, or what the bot remembers."""
    started = time.perf_counter()
    await _seen(update, context)
    _, advisor = deps(context).ready
    user = update.effective_user
    assert user is not None
    profile = await advisor.profile(user.id)
    if profile.level:
        greeting = advisor.replies.greeting(profile)
        await _send(update, context, replace(greeting, heading="Welcome back!"))
    else:
        welcome = Answer(
            "Hi! I'm a career advisor for machine-learning engineers.",
            "Ask me about skills, pay, promotions, interviews or feeling stuck; answers come "
            "from five public career guides, with their sources. What's your level?",
        )
        await _send(update, context, welcome, keyboards.levels(deps(context).kb))
    _log(update, "command:start", started)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help."""
    started = time.perf_counter()
    await _seen(update, context)
    _, advisor = deps(context).ready
    user = update.effective_user
    assert user is not None
    profile = await advisor.profile(user.id)
    answer = advisor.replies.help(profile)
    commands = Block("Commands", tuple(Line(f"/{name}: {text}") for name, text in COMMANDS))
    await _send(update, context, replace(answer, blocks=(*answer.blocks, commands)))
    _log(update, "command:help", started)


def _argument(context: ContextTypes.DEFAULT_TYPE) -> str:
    return " ".join(context.args or []).strip()


async def level_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/level [LEVEL | N years]: set the level, or pick it with buttons."""
    started = time.perf_counter()
    await _seen(update, context)
    d = deps(context)
    _, advisor = d.ready
    user = update.effective_user
    assert user is not None
    arg = _argument(context)
    if not arg:
        await _send(update, context, Answer("What's your level?"), keyboards.levels(d.kb))
    else:
        slots = advisor.matcher.match(arg).slots
        level = slots.own_level or slots.level or slots.from_level
        if level is None:
            names = ", ".join(d.kb.levels)
            answer = Answer(
                f"I don't know the level “{arg[:40]}”.",
                f"Use /level with one of: {names}; or your experience, like /level 6 years. "
                "Or pick one below.",
            )
            await _send(update, context, answer, keyboards.levels(d.kb))
        else:
            reply = await advisor.run(user.id, Query("set_level", level=level), d.clock())
            await _send(update, context, reply.answer)
    _log(update, "command:level", started)


async def market_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/market [MARKET]: set the market, or pick it with buttons."""
    started = time.perf_counter()
    await _seen(update, context)
    d = deps(context)
    _, advisor = d.ready
    user = update.effective_user
    assert user is not None
    arg = _argument(context)
    market = advisor.matcher.match(f"in {arg}").slots.market if arg else None
    if not arg:
        await _send(update, context, Answer("Where do you work?"), keyboards.markets(d.kb))
    elif market is None:
        names = ", ".join(m.id for m in d.kb.markets.values())
        answer = Answer(
            f"I have no figures for “{arg[:40]}”.",
            f"Use /market with one of: {names} (a city works too, like /market london). "
            "Or pick one below.",
        )
        await _send(update, context, answer, keyboards.markets(d.kb))
    else:
        reply = await advisor.run(user.id, Query("set_market", market=market), d.clock())
        await _send(update, context, reply.answer)
    _log(update, "command:market", started)


async def profile_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/profile: everything the bot stores about the user."""
    started = time.perf_counter()
    await _seen(update, context)
    d = deps(context)
    storage, _ = d.ready
    user = update.effective_user
    assert user is not None
    profile, context_row = await storage.load(user.id)
    rows = [
        Line("Level: " + (d.kb.levels[profile.level].name if profile.level else "not set")),
        Line("Market: " + (d.kb.markets[profile.market].name if profile.market else "not set")),
        Line(
            "Conversation: "
            + (f"last topic “{context_row.intent}”, kept 30 minutes" if context_row else "none")
        ),
        Line(f"Nudges: {nudges.describe(profile.nudges)}; steps you marked done and tips sent"),
        *await _plan_lines(d, profile),
        Line("When you last wrote to me, to count active users."),
    ]
    note = (
        "Questions I could not answer are kept without your id to improve the bot."
        if d.settings.keep_unanswered
        else None
    )
    answer = Answer("What I store about you", None, (Block(None, tuple(rows)),), (), note)
    await _send(update, context, answer, keyboards.confirm_forget())
    _log(update, "command:profile", started)


async def _plan_lines(d: Deps, profile: Profile) -> list[Line]:
    storage, advisor = d.ready
    lines = []
    if profile.level_since and profile.level:
        lines.append(Line(f"At {profile.level} since {profile.level_since.strftime('%B %Y')}"))
    plan = advisor.planner.plan_for(profile)
    if plan is not None:
        counts = plans.progress(plan, await storage.plan_statuses(profile.user_id))
        lines.append(Line(f"Plan {plan.from_level} → {plan.to_level}: {counts.done} of "
                          f"{counts.total} done, {counts.doing} in progress"))  # fmt: skip
    for src, dst, when, done, total in await storage.plan_history(profile.user_id):
        lines.append(Line(f"Archived plan {src} → {dst} ({when:%b %Y}): {done} of {total} done"))
    return lines


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/forget: ask for confirmation, then delete everything."""
    started = time.perf_counter()
    answer = Answer(
        "Delete everything I store about you?",
        "Your level, market and conversation will be gone. This cannot be undone.",
    )
    await _send(update, context, answer, keyboards.confirm_forget())
    _log(update, "command:forget", started)


async def sources_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sources: the documents behind the answers."""
    started = time.perf_counter()
    await _seen(update, context)
    kb = deps(context).kb
    rows = tuple(Line(f"{s.short}: “{s.title}” ({s.publisher})") for s in kb.sources.values())
    answer = Answer(
        "Where my answers come from",
        "Facts and figures come from these public documents, in my own words. Where they "
        "disagree (pay above all), I show each figure with its source.",
        (Block(None, rows),),
    )
    await _send(update, context, answer)
    _log(update, "command:sources", started)


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats for admins: users, activity, questions per intent, unanswered questions."""
    started = time.perf_counter()
    await _seen(update, context)
    d = deps(context)
    storage, _ = d.ready
    user = update.effective_user
    assert user is not None
    if user.id not in d.settings.admin_ids:
        await _send(update, context, Answer("/stats is for the bot's operators."))
        _log(update, "command:stats:denied", started)
        return
    stats = await storage.stats(d.clock())
    oos = stats.questions_7d.get("out_of_scope", 0)
    blocks = [
        Block(
            None,
            (
                Line(f"Users: {stats.users} (active in the last 7 days: {stats.active_7d})"),
                Line(f"Blocked the bot: {stats.blocked}"),
                Line(f"Out of scope (7 days): {oos}"),
            ),
        ),
        Block(
            "Questions per intent (7 days / all time)",
            tuple(
                Line(f"{intent}: {n} / {stats.questions_total.get(intent, n)}")
                for intent, n in stats.questions_7d.items()
            )
            or (Line("none yet"),),
        ),
    ]
    events = ("sent", "done", "snoozed", "paused", "stopped")
    blocks.append(
        Block(
            "Nudges (7 days / all time)",
            tuple(
                Line(f"{e}: {stats.nudges_7d.get(e, 0)} / {stats.nudges_total.get(e, 0)}")
                for e in events
            ),
        )
    )
    if d.settings.keep_unanswered:
        blocks.append(
            Block(
                "Most frequent unanswered",
                tuple(Line(f"{n}× {text}") for text, n in stats.unanswered) or (Line("none"),),
            )
        )
    await _send(update, context, Answer("Bot statistics", None, tuple(blocks)))
    _log(update, "command:stats", started)


async def nudges_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/nudges [weekly [DAY] [HH:MM] | daily [HH:MM] | off]: show or change nudges."""
    started = time.perf_counter()
    await _seen(update, context)
    d = deps(context)
    _, advisor = d.ready
    user = update.effective_user
    assert user is not None
    arg = _argument(context)
    answer = await advisor.change_nudges(user.id, arg, d.clock(), strict=True)
    keyboard = None if arg else keyboards.nudge_choices(offer=False)
    await _send(update, context, answer, keyboard, suggest=False)
    _log(update, "command:nudges", started)


async def plan_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/plan [export]: the checklist toward the next level, or it as a Markdown document."""
    started = time.perf_counter()
    await _seen(update, context)
    d = deps(context)
    _, advisor = d.ready
    user = update.effective_user
    assert user is not None
    arg = _argument(context)
    if arg and arg.lower() not in ("export", "show"):
        answer = Answer(
            f"I don't know “/plan {arg[:30]}”.",
            "Use /plan to see your plan, or /plan export for a Markdown document.",
        )
        await _send(update, context, answer, suggest=False)
    else:
        reply = await advisor.run(user.id, Query("plan", detail=arg or None), d.clock())
        await _send_reply(update, context, reply)
    _log(update, "command:plan", started)


async def timezone_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/timezone AREA/CITY: the zone nudges are timed in."""
    started = time.perf_counter()
    await _seen(update, context)
    d = deps(context)
    _, advisor = d.ready
    user = update.effective_user
    assert user is not None
    arg = _argument(context)
    if not arg:
        tz = (await advisor.profile(user.id)).nudges.tz
        answer = Answer(
            f"Your time zone: {tz}.",
            "Change it with /timezone and an IANA name, e.g. /timezone Europe/London or "
            "/timezone America/New_York.",
        )
    else:
        answer = await advisor.change_timezone(user.id, arg, d.clock())
    await _send(update, context, answer, suggest=False)
    _log(update, "command:timezone", started)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have."""
    started = time.perf_counter()
    text = (update.effective_message.text or "") if update.effective_message else ""
    name = escape(text.split()[0][:40]) if text.split() else "that"
    names = ", ".join(f"/{n}" for n, _ in COMMANDS)
    await _send(update, context, Answer(f"I don't know {name}.", f"Try one of: {names}."))
    _log(update, "command:unknown", started)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failure with its context and tell the user something went wrong."""
    user = update.effective_user.id if isinstance(update, Update) and update.effective_user else "-"
    update_id = update.update_id if isinstance(update, Update) else "-"
    log.error(
        "update=%s user=%s failed: %s",
        update_id,
        user,
        type(context.error).__name__,
        exc_info=context.error,
    )
    if isinstance(update, Update) and update.effective_chat:
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                "Sorry, something went wrong on my side. Please try again in a moment.",
            )
        except Exception:  # the chat may be unreachable: the failure is logged above
            log.warning("update=%s: could not tell the user about the failure", update_id)
