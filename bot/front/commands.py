"""The commands every front end understands ("/plan export"), each a function of the front."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.answering import suggestions
from bot.answering.answer import Answer, Block, Line
from bot.coaching import plans
from bot.domain import Query
from bot.front.pickers import level_rows, market_rows, nudge_rows
from bot.front.shown import Option, Row, Shown, said

if TYPE_CHECKING:
    from bot.front.core import Front

# Commands every front end understands, with what they do (the Telegram menu shows these).
COMMANDS = (
    ("start", "Start, or see what I remember about you"),
    ("help", "What I can do"),
    ("level", "Set your level, e.g. /level senior"),
    ("market", "Set your market, e.g. /market uk"),
    ("profile", "What I store about you"),
    ("forget", "Delete everything I store about you"),
    ("sources", "The documents behind my answers"),
    ("plan", "Your checklist for the next level; /plan export for a file"),
    ("chart", "Pay ranges per source as a picture, e.g. /chart senior uk"),
    ("nudges", "Next-step reminders: weekly, daily or off"),
    ("timezone", "Your time zone for nudges, e.g. Europe/London"),
)
# The intent a command's reply reports in JSON.
COMMAND_INTENTS = {"start": "greeting", "help": "help", "level": "set_level",
                   "market": "set_market", "profile": "profile", "forget": "forget",
                   "sources": "sources", "plan": "plan", "chart": "chart", "nudges": "nudges",
                   "timezone": "nudges"}  # fmt: skip

Command = Callable[["Front", int, str, datetime], Awaitable[list[Shown]]]


def unknown(name: str) -> list[Shown]:
    """A command the bot does not have: the ones it has."""
    names = ", ".join(f"/{n}" for n, _ in COMMANDS)
    answer = Answer(f"I don't know /{name[:40]}.", f"Try one of: {names}.")
    return [Shown(said("help", answer))]


async def start(front: Front, user_id: int, arg: str, now: datetime) -> list[Shown]:
    """/start: welcome back a known user, else say what the bot does and ask the level."""
    user = await front.services.profile(user_id)
    if user.level:
        greeting = front.advisor.replies.greeting(user)
        greeting = suggestions.fit(front.advisor.answers, Query("greeting"), greeting, user)
        reply = said("greeting", replace(greeting, heading="Welcome back!"))
        return [await front.shown(user_id, reply)]
    welcome = Answer(
        "Hi! I'm a career advisor for machine-learning engineers.",
        "Ask me about skills, pay, promotions, interviews or feeling stuck; answers come "
        f"from {front.kb.describe_sources()}, with their sources. What's your level?",
    )
    return [Shown(said("greeting", welcome), level_rows(front.kb))]


async def help_(front: Front, user_id: int, arg: str, now: datetime) -> list[Shown]:
    """One phone screen: what to ask, and the commands."""
    user = await front.services.profile(user_id)
    remembered = front.advisor.replies.remembered(user)
    lead = (f"Ask in your own words about skills, pay, promotions, interviews or feeling "
            f"stuck. Answers come from {front.kb.describe_sources()}.")  # fmt: skip
    commands = (
        "/level senior · /market london: who I answer for",
        "/plan: your checklist for the next level (/plan export: a file)",
        "/chart senior uk: pay ranges per source as a picture",
        "/nudges: a small next step, weekly or daily · /timezone",
        "/profile: what I store · /forget: delete it",
        "/sources: the documents behind my answers",
    )
    blocks = (
        Block("Commands", tuple(Line(c) for c in commands)),
        Block("Try", (Line("“What skills for senior?” · “staff pay in London”"),
                      Line("“I'm an L5 at Google” · “I mentor two juniors now”"))),
    )  # fmt: skip
    answer = Answer("How I can help", lead, blocks, note=remembered)
    return [Shown(said("help", answer))]


async def level(front: Front, user_id: int, arg: str, now: datetime) -> list[Shown]:
    """/level [LEVEL | N years]: set the level, or pick it."""
    if not arg:
        return [Shown(said("set_level", Answer("What's your level?")), level_rows(front.kb))]
    slots = front.advisor.pipeline.match(arg).slots
    found = slots.own_level or slots.level or slots.from_level
    if found is None:
        names = ", ".join(front.kb.levels)
        answer = Answer(
            f"I don't know the level “{arg[:40]}”.",
            f"Use /level with one of: {names}; or your experience, like /level 6 years. "
            "Or pick one below.",
        )
        return [Shown(said("set_level", answer), level_rows(front.kb))]
    reply = await front.advisor.run(user_id, Query("set_level", level=found), now)
    return [await front.shown(user_id, reply)]


async def market(front: Front, user_id: int, arg: str, now: datetime) -> list[Shown]:
    """/market [MARKET | city | skip]: set the market, or pick it."""
    if not arg:
        return [Shown(said("set_market", Answer("Where do you work?")), market_rows(front.kb))]
    if arg.lower() == "skip":
        return [Shown(said("set_market", Answer("No problem: ask me anything.")))]
    found = front.advisor.pipeline.match(f"in {arg}").slots.market
    if found is None:
        names = ", ".join(m.id for m in front.kb.covered_markets)
        answer = Answer(
            f"I have no figures for “{arg[:40]}”.",
            f"Use /market with one of: {names} (a city works too, like /market london). "
            "Or pick one below.",
        )
        return [Shown(said("set_market", answer), market_rows(front.kb))]
    reply = await front.advisor.run(user_id, Query("set_market", market=found), now)
    return [await front.shown(user_id, reply)]


async def profile(front: Front, user_id: int, arg: str, now: datetime) -> list[Shown]:
    """/profile: what is stored about the user."""
    return [await front.shown(user_id, said("profile", await front.services.stored(user_id, now)))]


async def forget(front: Front, user_id: int, arg: str, now: datetime) -> list[Shown]:
    """/forget asks first; "/forget yes" (the button's text) or a typed "yes" next deletes,
    "/forget no" or anything else not."""
    if arg.lower() in ("yes", "no"):
        return [await front.forget(user_id, arg.lower() == "yes")]
    answer = await front.services.ask_forget(user_id, now)
    rows = (Row((Option("Yes, delete everything", "/forget yes", "fgt", ("yes",)),
                 Option("Cancel", "/forget no", "fgt", ("no",)))),)  # fmt: skip
    return [Shown(said("forget", answer), rows)]


async def sources(front: Front, user_id: int, arg: str, now: datetime) -> list[Shown]:
    """/sources: the documents behind the answers."""
    rows = tuple(Line(f"{s.short}: {s.citation}") for s in front.kb.sources.values())
    answer = Answer(
        "Where my answers come from",
        f"Facts and figures come from {front.kb.describe_sources()}, in my own words. Where "
        "they disagree (pay above all), I show each figure with its source.",
        (Block(None, rows),),
    )
    return [Shown(said("sources", answer))]


async def plan(front: Front, user_id: int, arg: str, now: datetime) -> list[Shown]:
    """/plan [export | page N | done|doing|skip|todo ITEM]: the checklist, a page of its
    buttons, an item marked, or the plan as a Markdown document."""
    words = arg.lower().split()
    if len(words) == 2 and words[0] in plans.STATUSES and front.kb.plan_item(words[1]):
        return [await front.mark(user_id, words[1], words[0], now)]
    if len(words) == 2 and words[0] == "page" and words[1].isdigit():
        user = await front.services.profile(user_id)
        current = plans.plan_from(front.kb, user.level)
        if current is not None:
            return [await front.page(user_id, current.from_level, int(words[1]) - 1, now)]
    elif not words or words[0] in ("export", "show"):
        detail = words[0] if words else None
        reply = await front.advisor.run(user_id, Query("plan", detail=detail), now)
        return [await front.shown(user_id, reply)]
    answer = Answer(
        f"I don't know “/plan {arg[:30]}”.",
        "Use /plan to see your plan, or /plan export for a Markdown document.",
    )
    return [Shown(said("plan", answer))]


async def chart(front: Front, user_id: int, arg: str, now: datetime) -> list[Shown]:
    """/chart [LEVEL] [MARKET]: the pay chart; the user's own level and market by default."""
    user = await front.services.profile(user_id)
    slots = front.advisor.pipeline.match(f"salary {arg}").slots if arg else None
    wanted = (slots.level or slots.own_level if slots else None) or user.level
    where = (slots.market if slots else None) or user.market or "us"
    if wanted is None:
        answer = Answer("Which level?", "Use /chart with a level and a market, like "
                        "/chart senior uk.")  # fmt: skip
        return [Shown(said("chart", answer))]
    return [await front.chart(wanted, where)]


async def nudges(front: Front, user_id: int, arg: str, now: datetime) -> list[Shown]:
    """/nudges [weekly | daily | off | DAY TIME]: change them, or pick."""
    answer = await front.advisor.change_nudges(user_id, arg, now, strict=True)
    return [Shown(said("nudges", answer), () if arg else nudge_rows(offer=False))]


async def timezone(front: Front, user_id: int, arg: str, now: datetime) -> list[Shown]:
    """/timezone [AREA/CITY]: the zone nudges are timed in."""
    if not arg:
        tz = (await front.services.profile(user_id)).nudges.tz
        answer = Answer(
            f"Your time zone: {tz}.",
            "Change it with /timezone and an IANA name, e.g. /timezone Europe/London or "
            "/timezone America/New_York.",
        )
    else:
        answer = await front.advisor.change_timezone(user_id, arg, now)
    return [Shown(said("nudges", answer))]


HANDLERS: dict[str, Command] = {
    "start": start, "help": help_, "level": level, "market": market, "profile": profile,
    "forget": forget, "sources": sources, "plan": plan, "chart": chart, "nudges": nudges,
    "timezone": timezone,
}  # fmt: skip
