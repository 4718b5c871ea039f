"""What every front end shows: the reply to a message, a command or a pick, with the options that
go with it. Telegram draws the options as buttons, the terminal chat as numbered choices, the JSON
interface lists them as "choices"; picking one does the same thing everywhere (`Front.pick`), and
each has a text that does it too when typed. Clients only draw and send: no storage calls, no
decisions of their own. Time is a parameter."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.advisor import Advisor, Reply
from bot.answering import suggestions
from bot.answering.answer import Answer, Block, Line
from bot.answering.chart import Charts, NoFigures
from bot.coaching import plans
from bot.coaching.planner import PlanReply
from bot.domain import Query
from bot.knowledge.model import KnowledgeBase
from bot.services import Services

# Plan items per page of buttons: five rows of status buttons fit a phone screen.
PAGE = 5
# A button is one line on a phone (about 45 characters across a 390-px screen).
BUTTON_CHARS = 44
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
STATUS_BUTTONS = {"done": "✓ Done", "doing": "… In progress", "skip": "Not relevant",
                  "todo": "↺ To do"}  # fmt: skip
NUDGE_WORDS = {"weekly": "weekly", "daily": "daily", "off": "off", "no": "off"}


class BadPick(ValueError):
    """A pick this bot did not offer (an old button, or tampering)."""


@dataclass(frozen=True)
class Option:
    """One thing to pick: `label` says what it does (terminal, JSON), `short` is the button's
    text where a row's heading says the rest, `text` does the same when typed, and `kind` with
    `args` is what `Front.pick` carries out (Telegram's callback data: "kind|arg|...")."""

    label: str
    text: str
    kind: str
    args: tuple[str, ...] = ()
    short: str | None = None


@dataclass(frozen=True)
class Row:
    """Options shown side by side, under an optional heading (a plan item: its name and status;
    in Telegram a button that shows how to demonstrate it)."""

    options: tuple[Option, ...]
    heading: Option | None = None


@dataclass(frozen=True)
class Photo:
    """A picture to send: a pay chart."""

    filename: str
    data: bytes
    caption: str


@dataclass(frozen=True)
class Shown:
    """One message: the reply, its options, and a picture if any. `edit`: it replaces the
    message whose option was picked (Telegram edits it in place); `toast`: a short notice for
    the pick itself, with nothing else to show."""

    reply: Reply
    rows: tuple[Row, ...] = ()
    photo: Photo | None = None
    edit: bool = False
    toast: str | None = None

    @property
    def answer(self) -> Answer:
        """The answer to show."""
        return self.reply.answer

    def options(self) -> list[Option]:
        """Every option, in the order shown (headings are not options)."""
        return [o for row in self.rows for o in row.options]


def _said(intent: str, answer: Answer, query: Query | None = None) -> Reply:
    return Reply(query or Query(intent), 1.0, answer)


def _cut(text: str, limit: int = BUTTON_CHARS) -> str:
    """Cut at a word so a button stays one readable line."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


class Front:
    """Replies with their options, for any front end, over the advisor and the core services."""

    def __init__(self, services: Services, charts: Charts | None = None) -> None:
        self.services = services
        self.advisor: Advisor = services.advisor
        self.kb: KnowledgeBase = services.kb
        self.charts = charts or Charts(self.kb)

    # -- messages --------------------------------------------------------------------------
    async def message(
        self, user_id: int, text: str, now: datetime, *, forwarded: bool = False,
        anonymous: bool = False,
    ) -> list[Shown]:  # fmt: skip
        """A typed message: a command ("/plan export") or words for the advisor."""
        stripped = text.strip()
        if stripped.startswith("/") and not forwarded:
            name, _, arg = stripped[1:].partition(" ")
            return await self.command(user_id, name.split("@")[0].lower(), arg.strip(), now)
        reply = await self.advisor.ask(user_id, text, now, forwarded=forwarded,
                                       anonymous=anonymous)  # fmt: skip
        return [await self.shown(user_id, reply)]

    async def shown(self, user_id: int, reply: Reply, item: str | None = None) -> Shown:
        """A reply with its options: choices, a chart of a pay answer, plan items (the page
        holding `item`), then follow-up suggestions."""
        answer = reply.answer
        say = [Option(c.label, c.text, "say", (c.text,)) for c in answer.choices]
        rows = [Row(tuple(say[i : i + 2])) for i in range(0, len(say), 2)]
        if reply.items:
            rows += await self._plan_rows(user_id, reply, item)
        chart = self._chart_option(reply)
        if chart:
            rows.append(Row((chart,)))
        rows += [Row((self._ask(s.label, s.query),)) for s in answer.suggestions[:3]]
        return Shown(reply, tuple(rows))

    def _ask(self, label: str, query: Query) -> Option:
        args = (query.intent, query.level or "", query.from_level or "", query.market or "")
        return Option(label, label, "q", args)

    def _chart_option(self, reply: Reply) -> Option | None:
        q = reply.query
        market = q.market or "us"
        if q.intent != "salary" or not q.level or not self.charts.available(q.level, market):
            return None
        return Option("Chart", f"/chart {q.level} {market}", "chart", (q.level, market))

    # -- plans -----------------------------------------------------------------------------
    async def _plan_rows(self, user_id: int, reply: Reply, item: str | None,
                         page: int | None = None) -> list[Row]:  # fmt: skip
        """A heading and a row of status buttons per item, five items a page, with the way to
        the other pages ("Items 6–10 of 14 ›")."""
        statuses = await self.services.plan_marks(user_id)
        ids = [i for i, _ in reply.items]
        if page is None:
            page = ids.index(item) // PAGE if item in ids else 0
        page = max(0, min(page, (len(ids) - 1) // PAGE))
        rows = []
        for item_id, name in reply.items[page * PAGE : (page + 1) * PAGE]:
            status = statuses.get(item_id, "todo")
            mark = plans.MARKS[status]
            heading = Option(f"{mark} {name}", "", "pli", (item_id,), _cut(f"{mark} {name}"))
            options = tuple(
                Option(f"{plans.STATUS_LABELS[s].capitalize()}: {name}", f"/plan {s} {item_id}",
                       "pl", (item_id, s), STATUS_BUTTONS[s])
                for s in ("done", "doing", "skip") if s != status
            ) + ((Option(f"To do: {name}", f"/plan todo {item_id}", "pl", (item_id, "todo"),
                         STATUS_BUTTONS["todo"]),) if status != "todo" else ())  # fmt: skip
            rows.append(Row(options, heading))
        pages = (len(ids) + PAGE - 1) // PAGE
        plan_id = self._plan_of(ids[0]) if ids else None
        if pages > 1 and plan_id:
            nav = []
            if page > 0:
                lo, hi = (page - 1) * PAGE + 1, page * PAGE
                nav.append(Option(f"‹ Items {lo}–{hi}", f"/plan page {page}", "plp",
                                  (plan_id, str(page - 1))))  # fmt: skip
            if page < pages - 1:
                lo, hi = (page + 1) * PAGE + 1, min(len(ids), (page + 2) * PAGE)
                nav.append(Option(f"Items {lo}–{hi} of {len(ids)} ›", f"/plan page {page + 2}",
                                  "plp", (plan_id, str(page + 1))))  # fmt: skip
            rows.append(Row(tuple(nav)))
        return rows

    def _plan_of(self, item_id: str) -> str | None:
        """The id (its from-level) of the plan an item belongs to."""
        return next((k for k, p in self.kb.plans.items() if any(i.id == item_id for i in p.items)),
                    None)  # fmt: skip

    def _plan_reply(self, planned: PlanReply, plan_from: str) -> Reply:
        plan = self.kb.plans[plan_from]
        return Reply(Query("plan", plan.to_level, plan.from_level), 1.0, planned.answer, (),
                     planned.document, planned.items)  # fmt: skip

    async def _mark(self, user_id: int, item_id: str, status: str, now: datetime) -> Shown:
        plan_id = self._plan_of(item_id)
        if plan_id is None or status not in plans.STATUSES:
            raise BadPick(item_id)
        before = (await self.services.plan_marks(user_id)).get(item_id, "todo")
        item = self.kb.plan_item(item_id)
        assert item is not None
        if before == status:
            # The same button again: nothing changes, and the message stays as it is.
            toast = f"Already {plans.STATUS_LABELS[status]}: {item.name}"
            return Shown(_said("plan", Answer(toast)), toast=toast[:200])
        planned = await self.services.mark_plan(user_id, item_id, status, now)
        reply = self._plan_reply(planned, plan_id)
        shown = await self.shown(user_id, reply, item_id)
        return replace(shown, edit=True)

    async def _page(self, user_id: int, plan_id: str, page: int, now: datetime) -> Shown:
        if plan_id not in self.kb.plans:
            raise BadPick(plan_id)
        planned = await self.services.plan_view(user_id, plan_id, now)
        reply = self._plan_reply(planned, plan_id)
        rows = await self._plan_rows(user_id, reply, None, page)
        return Shown(reply, tuple(rows), edit=True)

    # -- picks -------------------------------------------------------------------------------
    async def pick(self, user_id: int, kind: str, args: tuple[str, ...],
                   now: datetime) -> list[Shown]:  # fmt: skip
        """Carry out an option, as offered by `shown` or a command; BadPick if it names
        something unknown."""
        kb = self.kb
        if kind == "q":
            intent, level, from_level, market = args
            if intent not in kb.intents or any(lv and lv not in kb.levels
                                               for lv in (level, from_level)):  # fmt: skip
                raise BadPick(intent)
            if market and market not in kb.markets:
                raise BadPick(market)
            query = Query(intent, level or None, from_level or None, market or None)
            if intent != "plan" and self.advisor.answers.label(query) is None:
                raise BadPick(intent)  # never offered: only questions with a label are
            return [await self.shown(user_id, await self.advisor.run(user_id, query, now))]
        if kind == "say":
            return await self.message(user_id, args[0], now)
        if kind == "pl":
            return [await self._mark(user_id, args[0], args[1], now)]
        if kind == "plp":
            return [await self._page(user_id, args[0], int(args[1]), now)]
        if kind == "pli":
            item = kb.plan_item(args[0])
            if item is None:
                raise BadPick(args[0])
            toast = f"{item.name}. How to show it: {item.show}"
            return [Shown(_said("plan", Answer(item.name, f"How to show it: {item.show}")),
                          toast=_cut(toast, 200))]  # fmt: skip
        if kind == "lvl":
            if args[0] not in kb.levels:
                raise BadPick(args[0])
            return await self._level_picked(user_id, args[0], now)
        if kind == "mkt":
            if args[0] != "skip" and args[0] not in kb.markets:
                raise BadPick(args[0])
            return await self._market_picked(user_id, args[0], now)
        if kind == "nud":
            answer = await self.advisor.change_nudges(user_id, NUDGE_WORDS[args[0]], now)
            return [Shown(_said("nudges", answer))]
        if kind == "fgt":
            return [await self._forget(user_id, args[0] == "yes")]
        if kind == "chart":
            return [await self._chart(args[0], args[1])]
        raise BadPick(kind)

    async def _level_picked(self, user_id: int, level: str, now: datetime) -> list[Shown]:
        """A level picked: stored, then the market asked (or nudges offered)."""
        reply = await self.advisor.run(user_id, Query("set_level", level=level), now)
        out = [await self.shown(user_id, reply)]
        if (await self.services.profile(user_id)).market is None:
            ask = Answer(
                "Where do you work? (optional)", "Pay answers use figures for your market."
            )
            out.append(Shown(_said("set_market", ask), self._market_rows()))
        else:
            out += await self._offer_nudges(user_id)
        return out

    async def _market_picked(self, user_id: int, market: str, now: datetime) -> list[Shown]:
        if market == "skip":
            out = [Shown(_said("set_market", Answer("No problem: ask me anything.")))]
        else:
            reply = await self.advisor.run(user_id, Query("set_market", market=market), now)
            out = [await self.shown(user_id, reply)]
        return out + await self._offer_nudges(user_id)

    async def _offer_nudges(self, user_id: int) -> list[Shown]:
        """Once, after the level is known: would the user like nudges? Nothing is sent
        otherwise."""
        profile = await self.services.profile(user_id)
        if profile.level is None or await self.services.nudges_offered(user_id):
            return []
        answer = Answer(
            "Want a small next step now and then?",
            "One concrete step for your level, never at night; change or stop it any time.",
        )
        return [Shown(_said("nudges", answer), self.nudge_rows(offer=True))]

    def nudge_rows(self, offer: bool) -> tuple[Row, ...]:
        """Weekly / daily / off (or "No thanks" when offering them the first time)."""
        # A first offer shows the defaults; later the user's own day and time are kept.
        weekly, daily = ("Weekly (Mon 09:00)", "Daily (09:00)") if offer else ("Weekly", "Daily")
        last, word = ("No thanks", "no") if offer else ("Off", "off")
        return (
            Row((Option(weekly, "/nudges weekly", "nud", ("weekly",)),
                 Option(daily, "/nudges daily", "nud", ("daily",)))),
            Row((Option(last, "/nudges off", "nud", (word,)),)),
        )  # fmt: skip

    def level_rows(self) -> tuple[Row, ...]:
        """Level picker: every level up to the first open-ended one ("Staff+ · 8+ y")."""
        options = []
        for level in self.kb.levels.values():
            short = level.name.split()[0].rstrip("-").replace("-level", "")
            if level.years_min is None:
                label = short
            elif level.years_max is None:
                label = f"{short}+ · {level.years_min:g}+ y"
            else:
                label = f"{short} · {level.years_min:g}–{level.years_max:g} y"
            options.append(Option(label, f"/level {level.id}", "lvl", (level.id,)))
            if level.years_min is not None and level.years_max is None:
                break
        return tuple(Row(tuple(options[i : i + 2])) for i in range(0, len(options), 2))

    def _market_rows(self) -> tuple[Row, ...]:
        """Market picker with a way to skip."""
        options = [Option(m.name, f"/market {m.id}", "mkt", (m.id,))
                   for m in self.kb.covered_markets]  # fmt: skip
        rows = [Row(tuple(options[i : i + 2])) for i in range(0, len(options), 2)]
        rows.append(Row((Option("Skip", "/market skip", "mkt", ("skip",)),)))
        return tuple(rows)

    async def _forget(self, user_id: int, yes: bool) -> Shown:
        if yes:
            return Shown(_said("forget", await self.services.forget(user_id)))
        return Shown(_said("forget", Answer("Nothing was deleted.")))

    async def _chart(self, level: str, market: str) -> Shown:
        """The pay chart for a level and market (drawn off the event loop, then cached)."""
        kb = self.kb
        if level not in kb.levels or market not in kb.markets:
            raise BadPick(f"{level} {market}")
        query = Query("chart", level, None, market)
        try:
            data = await asyncio.to_thread(self.charts.png, level, market)
        except NoFigures as exc:
            answer = Answer(f"No chart: {exc}.", "Ask for the pay answer to see what they do say.")
            return Shown(_said("chart", answer, query))
        caption = self.charts.caption(level, market)
        photo = Photo(self.charts.filename(level, market), data, caption)
        return Shown(_said("chart", Answer("Pay chart", caption), query), photo=photo)

    # -- commands ----------------------------------------------------------------------------
    async def command(self, user_id: int, name: str, arg: str, now: datetime) -> list[Shown]:
        """A command with its arguments, the same in every front end."""
        handlers = {
            "start": self._start, "help": self._help, "level": self._level_command,
            "market": self._market_command, "profile": self._profile,
            "forget": self._forget_command, "sources": self._sources, "plan": self._plan_command,
            "chart": self._chart_command, "nudges": self._nudges_command,
            "timezone": self._timezone_command,
        }  # fmt: skip
        handler = handlers.get(name)
        if handler is None:
            names = ", ".join(f"/{n}" for n, _ in COMMANDS)
            answer = Answer(f"I don't know /{name[:40]}.", f"Try one of: {names}.")
            return [Shown(_said("help", answer))]
        return await handler(user_id, arg, now)

    async def _start(self, user_id: int, arg: str, now: datetime) -> list[Shown]:
        profile = await self.services.profile(user_id)
        if profile.level:
            greeting = self.advisor.replies.greeting(profile)
            greeting = suggestions.fit(self.advisor.answers, Query("greeting"), greeting, profile)
            reply = _said("greeting", replace(greeting, heading="Welcome back!"))
            return [await self.shown(user_id, reply)]
        welcome = Answer(
            "Hi! I'm a career advisor for machine-learning engineers.",
            "Ask me about skills, pay, promotions, interviews or feeling stuck; answers come "
            f"from {self.kb.describe_sources()}, with their sources. What's your level?",
        )
        return [Shown(_said("greeting", welcome), self.level_rows())]

    async def _help(self, user_id: int, arg: str, now: datetime) -> list[Shown]:
        """One phone screen: what to ask, and the commands."""
        profile = await self.services.profile(user_id)
        remembered = self.advisor.replies.remembered(profile)
        lead = (f"Ask in your own words about skills, pay, promotions, interviews or feeling "
                f"stuck. Answers come from {self.kb.describe_sources()}.")  # fmt: skip
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
        return [Shown(_said("help", answer))]

    async def _level_command(self, user_id: int, arg: str, now: datetime) -> list[Shown]:
        """/level [LEVEL | N years]: set the level, or pick it."""
        if not arg:
            return [Shown(_said("set_level", Answer("What's your level?")), self.level_rows())]
        slots = self.advisor.matcher.match(arg).slots
        level = slots.own_level or slots.level or slots.from_level
        if level is None:
            names = ", ".join(self.kb.levels)
            answer = Answer(
                f"I don't know the level “{arg[:40]}”.",
                f"Use /level with one of: {names}; or your experience, like /level 6 years. "
                "Or pick one below.",
            )
            return [Shown(_said("set_level", answer), self.level_rows())]
        reply = await self.advisor.run(user_id, Query("set_level", level=level), now)
        return [await self.shown(user_id, reply)]

    async def _market_command(self, user_id: int, arg: str, now: datetime) -> list[Shown]:
        """/market [MARKET | city | skip]: set the market, or pick it."""
        if not arg:
            return [Shown(_said("set_market", Answer("Where do you work?")), self._market_rows())]
        if arg.lower() == "skip":
            return [Shown(_said("set_market", Answer("No problem: ask me anything.")))]
        market = self.advisor.matcher.match(f"in {arg}").slots.market
        if market is None:
            names = ", ".join(m.id for m in self.kb.covered_markets)
            answer = Answer(
                f"I have no figures for “{arg[:40]}”.",
                f"Use /market with one of: {names} (a city works too, like /market london). "
                "Or pick one below.",
            )
            return [Shown(_said("set_market", answer), self._market_rows())]
        reply = await self.advisor.run(user_id, Query("set_market", market=market), now)
        return [await self.shown(user_id, reply)]

    async def _profile(self, user_id: int, arg: str, now: datetime) -> list[Shown]:
        return [
            await self.shown(user_id, _said("profile", await self.services.stored(user_id, now)))
        ]

    async def _forget_command(self, user_id: int, arg: str, now: datetime) -> list[Shown]:
        """/forget asks first; "/forget yes" (the button's text) deletes, "/forget no" not."""
        if arg.lower() in ("yes", "no"):
            return [await self._forget(user_id, arg.lower() == "yes")]
        answer = Answer(
            "Delete everything I store about you?",
            "Your level, market and conversation will be gone. This cannot be undone.",
        )
        rows = (Row((Option("Yes, delete everything", "/forget yes", "fgt", ("yes",)),
                     Option("Cancel", "/forget no", "fgt", ("no",)))),)  # fmt: skip
        return [Shown(_said("forget", answer), rows)]

    async def _sources(self, user_id: int, arg: str, now: datetime) -> list[Shown]:
        rows = tuple(Line(f"{s.short}: {s.citation}") for s in self.kb.sources.values())
        answer = Answer(
            "Where my answers come from",
            f"Facts and figures come from {self.kb.describe_sources()}, in my own words. Where "
            "they disagree (pay above all), I show each figure with its source.",
            (Block(None, rows),),
        )
        return [Shown(_said("sources", answer))]

    async def _plan_command(self, user_id: int, arg: str, now: datetime) -> list[Shown]:
        """/plan [export | page N | done|doing|skip|todo ITEM]: the checklist, a page of its
        buttons, an item marked, or the plan as a Markdown document."""
        words = arg.lower().split()
        if len(words) == 2 and words[0] in plans.STATUSES and self.kb.plan_item(words[1]):
            return [await self._mark(user_id, words[1], words[0], now)]
        if len(words) == 2 and words[0] == "page" and words[1].isdigit():
            profile = await self.services.profile(user_id)
            plan = plans.plan_from(self.kb, profile.level)
            if plan is not None:
                return [await self._page(user_id, plan.from_level, int(words[1]) - 1, now)]
        elif not words or words[0] in ("export", "show"):
            detail = words[0] if words else None
            reply = await self.advisor.run(user_id, Query("plan", detail=detail), now)
            return [await self.shown(user_id, reply)]
        answer = Answer(
            f"I don't know “/plan {arg[:30]}”.",
            "Use /plan to see your plan, or /plan export for a Markdown document.",
        )
        return [Shown(_said("plan", answer))]

    async def _chart_command(self, user_id: int, arg: str, now: datetime) -> list[Shown]:
        """/chart [LEVEL] [MARKET]: the pay chart; the user's own level and market by default."""
        profile = await self.services.profile(user_id)
        slots = self.advisor.matcher.match(f"salary {arg}").slots if arg else None
        level = (slots.level or slots.own_level if slots else None) or profile.level
        market = (slots.market if slots else None) or profile.market or "us"
        if level is None:
            answer = Answer("Which level?", "Use /chart with a level and a market, like "
                            "/chart senior uk.")  # fmt: skip
            return [Shown(_said("chart", answer))]
        return [await self._chart(level, market)]

    async def _nudges_command(self, user_id: int, arg: str, now: datetime) -> list[Shown]:
        answer = await self.advisor.change_nudges(user_id, arg, now, strict=True)
        return [Shown(_said("nudges", answer), () if arg else self.nudge_rows(offer=False))]

    async def _timezone_command(self, user_id: int, arg: str, now: datetime) -> list[Shown]:
        """/timezone [AREA/CITY]: the zone nudges are timed in."""
        if not arg:
            tz = (await self.services.profile(user_id)).nudges.tz
            answer = Answer(
                f"Your time zone: {tz}.",
                "Change it with /timezone and an IANA name, e.g. /timezone Europe/London or "
                "/timezone America/New_York.",
            )
        else:
            answer = await self.advisor.change_timezone(user_id, arg, now)
        return [Shown(_said("nudges", answer))]

    # -- JSON ------------------------------------------------------------------------------
    def as_json(self, shown: Shown) -> dict[str, Any]:
        """The stable scripting shape: the advisor's fields, the answer as plain text, and every
        option as a choice {"label", "text"} (send the text back to pick it)."""
        out = self.advisor.as_json(shown.reply)
        out["answer"] = self.advisor.plain(shown.answer)
        out["choices"] = [{"label": o.label, "text": o.text} for o in shown.options()]
        return out
