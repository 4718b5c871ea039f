"""The front: the reply to a message, a command or a pick, with the options that go with it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.advisor import Advisor, Reply
from bot.answering.answer import Answer
from bot.answering.chart import Charts, NoFigures
from bot.coaching import plans
from bot.domain import Query
from bot.front import commands
from bot.front.pickers import NUDGE_WORDS, market_rows, nudge_rows
from bot.front.plan_keyboard import PlanKeyboard
from bot.front.shown import BadPick, Option, Photo, Row, Shown, cut, pairs, said
from bot.knowledge.model import KnowledgeBase
from bot.services import Services

Pick = Callable[[int, tuple[str, ...], datetime], Awaitable[list[Shown]]]


class Front:
    """Replies with their options, for any front end, over the advisor and the core services."""

    def __init__(self, services: Services, charts: Charts | None = None) -> None:
        self.services = services
        self.advisor: Advisor = services.advisor
        self.kb: KnowledgeBase = services.kb
        self.charts = charts or Charts(self.kb)
        self.plan_keyboard = PlanKeyboard(services, self.kb)
        # What each kind of option does (the kind is the first part of Telegram's callback data).
        self._picks: dict[str, Pick] = {
            "q": self._pick_question, "say": self._pick_say, "pl": self._pick_status,
            "plp": self._pick_page, "pli": self._pick_item, "lvl": self._pick_level,
            "mkt": self._pick_market, "nud": self._pick_nudges, "fgt": self._pick_forget,
            "chart": self._pick_chart,
        }  # fmt: skip

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
        rows = pairs([Option(c.label, c.text, "say", (c.text,)) for c in answer.choices])
        if reply.items:
            rows += await self.plan_keyboard.rows(user_id, reply, item)
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

    # -- commands ----------------------------------------------------------------------------
    async def command(self, user_id: int, name: str, arg: str, now: datetime) -> list[Shown]:
        """A command with its arguments, the same in every front end."""
        handler = commands.HANDLERS.get(name)
        if handler is None:
            return commands.unknown(name)
        # A question waiting for "yes" is answered by the very next thing the user does: after
        # /forget's Cancel, a /profile or any other command, a later "yes" deletes nothing.
        await self.services.drop_pending(user_id)
        return await handler(self, user_id, arg, now)

    # -- picks -------------------------------------------------------------------------------
    async def pick(self, user_id: int, kind: str, args: tuple[str, ...],
                   now: datetime) -> list[Shown]:  # fmt: skip
        """Carry out an option, as offered by `shown` or a command; BadPick if it names
        something unknown."""
        handler = self._picks.get(kind)
        if handler is None:
            raise BadPick(kind)
        if kind != "say":  # a typed choice is a message: the advisor answers what waits
            await self.services.drop_pending(user_id)
        return await handler(user_id, args, now)

    async def _pick_question(self, user_id: int, args: tuple[str, ...],
                             now: datetime) -> list[Shown]:  # fmt: skip
        """A suggested question: asked again as the query it was offered for."""
        kb = self.kb
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

    async def _pick_say(self, user_id: int, args: tuple[str, ...], now: datetime) -> list[Shown]:
        """A choice: as if its text were typed."""
        return await self.message(user_id, args[0], now)

    async def _pick_status(self, user_id: int, args: tuple[str, ...],
                           now: datetime) -> list[Shown]:  # fmt: skip
        """A plan item's status button."""
        return [await self.mark(user_id, args[0], args[1], now)]

    async def _pick_page(self, user_id: int, args: tuple[str, ...], now: datetime) -> list[Shown]:
        """Another page of a plan's items."""
        return [await self.page(user_id, args[0], int(args[1]), now)]

    async def _pick_item(self, user_id: int, args: tuple[str, ...], now: datetime) -> list[Shown]:
        """A plan item's heading: how to show it, as a notice."""
        item = self.kb.plan_item(args[0])
        if item is None:
            raise BadPick(args[0])
        toast = f"{item.name}. How to show it: {item.show}"
        return [Shown(said("plan", Answer(item.name, f"How to show it: {item.show}")),
                      toast=cut(toast, 200))]  # fmt: skip

    async def _pick_level(self, user_id: int, args: tuple[str, ...],
                          now: datetime) -> list[Shown]:  # fmt: skip
        """A level picked: stored, then the market asked (or nudges offered)."""
        level = args[0]
        if level not in self.kb.levels:
            raise BadPick(level)
        reply = await self.advisor.run(user_id, Query("set_level", level=level), now)
        out = [await self.shown(user_id, reply)]
        if (await self.services.profile(user_id)).market is None:
            ask = Answer(
                "Where do you work? (optional)", "Pay answers use figures for your market."
            )
            out.append(Shown(said("set_market", ask), market_rows(self.kb)))
        else:
            out += await self._offer_nudges(user_id)
        return out

    async def _pick_market(self, user_id: int, args: tuple[str, ...],
                           now: datetime) -> list[Shown]:  # fmt: skip
        """A market picked (or skipped), then nudges offered."""
        market = args[0]
        if market != "skip" and market not in self.kb.markets:
            raise BadPick(market)
        if market == "skip":
            out = [Shown(said("set_market", Answer("No problem: ask me anything.")))]
        else:
            reply = await self.advisor.run(user_id, Query("set_market", market=market), now)
            out = [await self.shown(user_id, reply)]
        return out + await self._offer_nudges(user_id)

    async def _pick_nudges(self, user_id: int, args: tuple[str, ...],
                           now: datetime) -> list[Shown]:  # fmt: skip
        """Weekly, daily or off."""
        answer = await self.advisor.change_nudges(user_id, NUDGE_WORDS[args[0]], now)
        return [Shown(said("nudges", answer))]

    async def _pick_forget(self, user_id: int, args: tuple[str, ...],
                           now: datetime) -> list[Shown]:  # fmt: skip
        """Yes, delete everything; or cancel."""
        return [await self.forget(user_id, args[0] == "yes")]

    async def _pick_chart(self, user_id: int, args: tuple[str, ...],
                          now: datetime) -> list[Shown]:  # fmt: skip
        """The Chart button under a pay answer."""
        return [await self.chart(args[0], args[1])]

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
        return [Shown(said("nudges", answer), nudge_rows(offer=True))]

    # -- what picks and commands share -------------------------------------------------------
    async def mark(self, user_id: int, item_id: str, status: str, now: datetime) -> Shown:
        """A plan item marked: the plan again, on the page holding the item, edited in place."""
        plan_id = self.plan_keyboard.plan_of(item_id)
        if plan_id is None or status not in plans.STATUSES:
            raise BadPick(item_id)
        before = (await self.services.plan_marks(user_id)).get(item_id, "todo")
        item = self.kb.plan_item(item_id)
        assert item is not None
        if before == status:
            # The same button again: nothing changes, and the message stays as it is.
            toast = f"Already {plans.STATUS_LABELS[status]}: {item.name}"
            return Shown(said("plan", Answer(toast)), toast=toast[:200])
        planned = await self.services.mark_plan(user_id, item_id, status, now)
        reply = self.plan_keyboard.reply(planned, plan_id)
        shown = await self.shown(user_id, reply, item_id)
        return replace(shown, edit=True)

    async def page(self, user_id: int, plan_id: str, page: int, now: datetime) -> Shown:
        """A page of a plan's items (from 0), edited in place."""
        if plan_id not in self.kb.plans:
            raise BadPick(plan_id)
        planned = await self.services.plan_view(user_id, plan_id, now)
        reply = self.plan_keyboard.reply(planned, plan_id)
        rows = await self.plan_keyboard.rows(user_id, reply, None, page)
        return Shown(reply, tuple(rows), edit=True)

    async def forget(self, user_id: int, yes: bool) -> Shown:
        """Delete everything stored about the user, if they said yes."""
        if yes:
            return Shown(said("forget", await self.services.forget(user_id)))
        return Shown(said("forget", Answer("Nothing was deleted.")))

    async def chart(self, level: str, market: str) -> Shown:
        """The pay chart for a level and market (drawn off the event loop, then cached)."""
        kb = self.kb
        if level not in kb.levels or market not in kb.markets:
            raise BadPick(f"{level} {market}")
        query = Query("chart", level, None, market)
        try:
            data = await asyncio.to_thread(self.charts.png, level, market)
        except NoFigures as exc:
            answer = Answer(f"No chart: {exc}.", "Ask for the pay answer to see what they do say.")
            return Shown(said("chart", answer, query))
        caption = self.charts.caption(level, market)
        photo = Photo(self.charts.filename(level, market), data, caption)
        return Shown(said("chart", Answer("Pay chart", caption), query), photo=photo)

    # -- JSON ------------------------------------------------------------------------------
    def as_json(self, shown: Shown) -> dict[str, Any]:
        """The stable scripting shape: the advisor's fields, the answer as plain text, and every
        option as a choice {"label", "text"} (send the text back to pick it)."""
        out = self.advisor.as_json(shown.reply)
        out["answer"] = self.advisor.plain(shown.answer)
        out["choices"] = [{"label": o.label, "text": o.text} for o in shown.options()]
        return out
