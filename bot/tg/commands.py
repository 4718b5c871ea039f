"""Telegram commands: /start, /help, /level, /market, /profile, /forget, /sources, /plan,
/nudges, /timezone and the operators' /stats; thin functions over the advisor."""

from __future__ import annotations

from dataclasses import replace
from html import escape

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.answering.answer import Answer, Block, Line
from bot.coaching import nudges, plans
from bot.domain import Profile, Query
from bot.tg import keyboards
from bot.tg.deps import Deps, command, deps, send, send_reply

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


@command("start")
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: a welcome and the level picker, or what the bot remembers."""
    _, advisor = deps(context).ready
    user = update.effective_user
    assert user is not None
    profile = await advisor.profile(user.id)
    if profile.level:
        greeting = advisor.replies.greeting(profile)
        await send(update, context, replace(greeting, heading="Welcome back!"))
    else:
        welcome = Answer(
            "Hi! I'm a career advisor for machine-learning engineers.",
            "Ask me about skills, pay, promotions, interviews or feeling stuck; answers come "
            "from five public career guides, with their sources. What's your level?",
        )
        await send(update, context, welcome, keyboards.levels(deps(context).kb))


@command("help")
async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help."""
    _, advisor = deps(context).ready
    user = update.effective_user
    assert user is not None
    profile = await advisor.profile(user.id)
    answer = advisor.replies.help(profile)
    commands = Block("Commands", tuple(Line(f"/{name}: {text}") for name, text in COMMANDS))
    await send(update, context, replace(answer, blocks=(*answer.blocks, commands)))


def argument(context: ContextTypes.DEFAULT_TYPE) -> str:
    """A command's arguments as one string."""
    return " ".join(context.args or []).strip()


@command("level")
async def level_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/level [LEVEL | N years]: set the level, or pick it with buttons."""
    d = deps(context)
    _, advisor = d.ready
    user = update.effective_user
    assert user is not None
    arg = argument(context)
    if not arg:
        await send(update, context, Answer("What's your level?"), keyboards.levels(d.kb))
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
            await send(update, context, answer, keyboards.levels(d.kb))
        else:
            reply = await advisor.run(user.id, Query("set_level", level=level), d.clock())
            await send(update, context, reply.answer)


@command("market")
async def market_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/market [MARKET]: set the market, or pick it with buttons."""
    d = deps(context)
    _, advisor = d.ready
    user = update.effective_user
    assert user is not None
    arg = argument(context)
    market = advisor.matcher.match(f"in {arg}").slots.market if arg else None
    if not arg:
        await send(update, context, Answer("Where do you work?"), keyboards.markets(d.kb))
    elif market is None:
        names = ", ".join(m.id for m in d.kb.markets.values())
        answer = Answer(
            f"I have no figures for “{arg[:40]}”.",
            f"Use /market with one of: {names} (a city works too, like /market london). "
            "Or pick one below.",
        )
        await send(update, context, answer, keyboards.markets(d.kb))
    else:
        reply = await advisor.run(user.id, Query("set_market", market=market), d.clock())
        await send(update, context, reply.answer)


@command("profile")
async def profile_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/profile: everything the bot stores about the user."""
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
    await send(update, context, answer, keyboards.confirm_forget())


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


@command("forget", note_seen=False)
async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/forget: ask for confirmation, then delete everything."""
    answer = Answer(
        "Delete everything I store about you?",
        "Your level, market and conversation will be gone. This cannot be undone.",
    )
    await send(update, context, answer, keyboards.confirm_forget())


@command("sources")
async def sources_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sources: the documents behind the answers."""
    kb = deps(context).kb
    rows = tuple(Line(f"{s.short}: “{s.title}” ({s.publisher})") for s in kb.sources.values())
    answer = Answer(
        "Where my answers come from",
        "Facts and figures come from these public documents, in my own words. Where they "
        "disagree (pay above all), I show each figure with its source.",
        (Block(None, rows),),
    )
    await send(update, context, answer)


@command("stats")
async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """/stats for admins: users, activity, questions per intent, unanswered questions."""
    d = deps(context)
    storage, _ = d.ready
    user = update.effective_user
    assert user is not None
    if user.id not in d.settings.admin_ids:
        await send(update, context, Answer("/stats is for the bot's operators."))
        return "command:stats:denied"
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        # The figures include questions people asked: never shown to a group.
        await send(update, context, Answer("/stats works in a private chat with me only."))
        return "command:stats:group"
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
    await send(update, context, Answer("Bot statistics", None, tuple(blocks)))
    return None


@command("nudges")
async def nudges_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/nudges [weekly [DAY] [HH:MM] | daily [HH:MM] | off]: show or change nudges."""
    d = deps(context)
    _, advisor = d.ready
    user = update.effective_user
    assert user is not None
    arg = argument(context)
    answer = await advisor.change_nudges(user.id, arg, d.clock(), strict=True)
    keyboard = None if arg else keyboards.nudge_choices(offer=False)
    await send(update, context, answer, keyboard, suggest=False)


@command("plan")
async def plan_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/plan [export]: the checklist toward the next level, or it as a Markdown document."""
    d = deps(context)
    _, advisor = d.ready
    user = update.effective_user
    assert user is not None
    arg = argument(context)
    if arg and arg.lower() not in ("export", "show"):
        answer = Answer(
            f"I don't know “/plan {arg[:30]}”.",
            "Use /plan to see your plan, or /plan export for a Markdown document.",
        )
        await send(update, context, answer, suggest=False)
    else:
        reply = await advisor.run(user.id, Query("plan", detail=arg or None), d.clock())
        await send_reply(update, context, reply)


@command("timezone")
async def timezone_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/timezone AREA/CITY: the zone nudges are timed in."""
    d = deps(context)
    _, advisor = d.ready
    user = update.effective_user
    assert user is not None
    arg = argument(context)
    if not arg:
        tz = (await advisor.profile(user.id)).nudges.tz
        answer = Answer(
            f"Your time zone: {tz}.",
            "Change it with /timezone and an IANA name, e.g. /timezone Europe/London or "
            "/timezone America/New_York.",
        )
    else:
        answer = await advisor.change_timezone(user.id, arg, d.clock())
    await send(update, context, answer, suggest=False)


@command("unknown", note_seen=False)
async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have."""
    text = (update.effective_message.text or "") if update.effective_message else ""
    name = escape(text.split()[0][:40]) if text.split() else "that"
    names = ", ".join(f"/{n}" for n, _ in COMMANDS)
    await send(update, context, Answer(f"I don't know {name}.", f"Try one of: {names}."))
