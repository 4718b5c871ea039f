"""Telegram commands: /start, /help, /level, /market, /profile, /forget, /sources, /plan,
/nudges, /timezone and the operators' /stats; thin functions over the advisor."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update
from telegram.constants import ChatType

from bot.answering.answer import Answer, Block, Line
from bot.domain import Query
from bot.tg import keyboards
from bot.tg.deps import Ctx, command, send, send_reply, speaker

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
async def start(update: Update, context: Ctx) -> None:
    """/start: a welcome and the level picker, or what the bot remembers."""
    _, advisor = context.deps.ready
    who = speaker(update)
    assert who is not None
    profile = await advisor.profile(who)
    if profile.level:
        greeting = advisor.replies.greeting(profile)
        await send(update, context, replace(greeting, heading="Welcome back!"))
    else:
        welcome = Answer(
            "Hi! I'm a career advisor for machine-learning engineers.",
            "Ask me about skills, pay, promotions, interviews or feeling stuck; answers come "
            "from five public career guides, with their sources. What's your level?",
        )
        await send(update, context, welcome, keyboards.levels(context.deps.kb))


@command("help")
async def help_command(update: Update, context: Ctx) -> None:
    """/help."""
    _, advisor = context.deps.ready
    who = speaker(update)
    assert who is not None
    profile = await advisor.profile(who)
    answer = advisor.replies.help(profile)
    commands = Block("Commands", tuple(Line(f"/{name}: {text}") for name, text in COMMANDS))
    await send(update, context, replace(answer, blocks=(*answer.blocks, commands)))


def argument(context: Ctx) -> str:
    """A command's arguments as one string."""
    return " ".join(context.args or []).strip()


@command("level", changes=True)
async def level_command(update: Update, context: Ctx) -> None:
    """/level [LEVEL | N years]: set the level, or pick it with buttons."""
    d = context.deps
    _, advisor = d.ready
    who = speaker(update)
    assert who is not None
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
            reply = await advisor.run(who, Query("set_level", level=level), d.clock())
            await send(update, context, reply.answer)


@command("market", changes=True)
async def market_command(update: Update, context: Ctx) -> None:
    """/market [MARKET]: set the market, or pick it with buttons."""
    d = context.deps
    _, advisor = d.ready
    who = speaker(update)
    assert who is not None
    arg = argument(context)
    market = advisor.matcher.match(f"in {arg}").slots.market if arg else None
    if not arg:
        await send(update, context, Answer("Where do you work?"), keyboards.markets(d.kb))
    elif market is None:
        names = ", ".join(m.id for m in d.kb.covered_markets)
        answer = Answer(
            f"I have no figures for “{arg[:40]}”.",
            f"Use /market with one of: {names} (a city works too, like /market london). "
            "Or pick one below.",
        )
        await send(update, context, answer, keyboards.markets(d.kb))
    else:
        reply = await advisor.run(who, Query("set_market", market=market), d.clock())
        await send(update, context, reply.answer)


@command("profile")
async def profile_command(update: Update, context: Ctx) -> None:
    """/profile: everything the bot stores about the user."""
    d = context.deps
    who = speaker(update)
    assert who is not None
    answer = await d.core.stored(who, d.clock())
    await send(update, context, answer)


@command("forget", note_seen=False, changes=True)
async def forget_command(update: Update, context: Ctx) -> None:
    """/forget: ask for confirmation, then delete everything."""
    answer = Answer(
        "Delete everything I store about you?",
        "Your level, market and conversation will be gone. This cannot be undone.",
    )
    await send(update, context, answer, keyboards.confirm_forget())


@command("sources")
async def sources_command(update: Update, context: Ctx) -> None:
    """/sources: the documents behind the answers."""
    kb = context.deps.kb
    rows = tuple(Line(f"{s.short}: {s.citation}") for s in kb.sources.values())
    answer = Answer(
        "Where my answers come from",
        "Facts and figures come from these public documents, in my own words. Where they "
        "disagree (pay above all), I show each figure with its source.",
        (Block(None, rows),),
    )
    await send(update, context, answer)


@command("stats")
async def stats_command(update: Update, context: Ctx) -> str | None:
    """/stats for admins: users, activity, questions per intent, unanswered questions."""
    d = context.deps
    user = update.effective_user
    if user is None or user.id not in d.settings.admin_ids or speaker(update) != user.id:
        await send(update, context, Answer("/stats is for the bot's operators."))
        return "command:stats:denied"
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        # The figures include questions people asked: never shown to a group.
        await send(update, context, Answer("/stats works in a private chat with me only."))
        return "command:stats:group"
    await send(update, context, await d.core.stats(d.clock(), d.settings.keep_unanswered))
    return None


@command("nudges", changes=True)
async def nudges_command(update: Update, context: Ctx) -> None:
    """/nudges [weekly [DAY] [HH:MM] | daily [HH:MM] | off]: show or change nudges."""
    d = context.deps
    _, advisor = d.ready
    who = speaker(update)
    assert who is not None
    arg = argument(context)
    answer = await advisor.change_nudges(who, arg, d.clock(), strict=True)
    keyboard = None if arg else keyboards.nudge_choices(offer=False)
    await send(update, context, answer, keyboard, suggest=False)


@command("plan", changes=True)
async def plan_command(update: Update, context: Ctx) -> None:
    """/plan [export]: the checklist toward the next level, or it as a Markdown document."""
    d = context.deps
    _, advisor = d.ready
    who = speaker(update)
    assert who is not None
    arg = argument(context)
    if arg and arg.lower() not in ("export", "show"):
        answer = Answer(
            f"I don't know “/plan {arg[:30]}”.",
            "Use /plan to see your plan, or /plan export for a Markdown document.",
        )
        await send(update, context, answer, suggest=False)
    else:
        reply = await advisor.run(who, Query("plan", detail=arg or None), d.clock())
        await send_reply(update, context, reply)


@command("timezone", changes=True)
async def timezone_command(update: Update, context: Ctx) -> None:
    """/timezone AREA/CITY: the zone nudges are timed in."""
    d = context.deps
    _, advisor = d.ready
    who = speaker(update)
    assert who is not None
    arg = argument(context)
    if not arg:
        tz = (await advisor.profile(who)).nudges.tz
        answer = Answer(
            f"Your time zone: {tz}.",
            "Change it with /timezone and an IANA name, e.g. /timezone Europe/London or "
            "/timezone America/New_York.",
        )
    else:
        answer = await advisor.change_timezone(who, arg, d.clock())
    await send(update, context, answer, suggest=False)


@command("unknown", note_seen=False)
async def unknown_command(update: Update, context: Ctx) -> None:
    """A command the bot does not have."""
    text = (update.effective_message.text or "") if update.effective_message else ""
    # Not escaped here: the renderer escapes every piece of an answer, exactly once.
    name = text.split()[0][:40] if text.split() else "that"
    names = ", ".join(f"/{n}" for n, _ in COMMANDS)
    await send(update, context, Answer(f"I don't know {name}.", f"Try one of: {names}."))
