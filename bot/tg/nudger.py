"""The nudge dispatcher: claims due nudges in the database, sends them at background priority."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.answering import render
from bot.answering.answer import Answer
from bot.answering.chat_replies import ChatReplies
from bot.coaching import nudges, plans
from bot.domain import Due
from bot.knowledge.model import KnowledgeBase, PlanItem, Tip
from bot.storage.durable import NudgeLeases
from bot.storage.store import Storage
from bot.tg import keyboards
from bot.tg.delivery import FateUnknown, NotDelivered, Sender
from bot.tg.pacing import BACKGROUND

log = logging.getLogger(__name__)

# How often due nudges are looked for (the issue allows at most a minute); how many are leased
# at a time (about a second of sends at Telegram's 25 a second), and for how long: a lease
# that runs out (its process died) makes the nudge due again.
INTERVAL = 30.0
BATCH = 25
LEASE = 120.0
# How long shutdown waits for the sends in hand.
STOP_GRACE = 2.0


@dataclass
class Outcome:
    """What one dispatch round did."""

    claimed: int = 0
    sent: int = 0
    stopped: int = 0
    deferred: int = 0
    retried: int = 0
    unknown: int = 0
    blocked: int = 0
    failed: int = 0


class Nudger:
    """Runs once at start-up, then every INTERVAL seconds, until stopped."""

    def __init__(
        self,
        bot: ExtBot[Any],
        kb: KnowledgeBase,
        storage: Storage,
        replies: ChatReplies,
        clock: Any,
        interval: float = INTERVAL,
        sender: Sender | None = None,
    ) -> None:
        self.bot, self.kb, self.storage, self.replies = bot, kb, storage, replies
        self.clock = clock
        self.interval = interval
        self.leases = NudgeLeases(storage)
        self.sender = sender or Sender(bot, clock)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the repeating dispatcher (its first round runs right away)."""
        self._task = asyncio.create_task(self._loop(), name="nudger")

    async def stop(self) -> None:
        """Let the current round finish (up to STOP_GRACE seconds), then stop."""
        self._stop.set()
        if self._task is None:
            return
        try:
            async with asyncio.timeout(STOP_GRACE):
                await asyncio.shield(self._task)
        except TimeoutError:
            self._task.cancel()
            log.warning("nudge dispatch cut short by shutdown")

    async def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                outcome = await self.run_once()
                if outcome.claimed:
                    log.info("nudges: %s", outcome)
            except Exception:  # a bad round must not end the dispatcher
                log.exception("nudge dispatch failed; trying again in %.0f s", self.interval)
            try:
                async with asyncio.timeout(self.interval):
                    await self._stop.wait()
            except TimeoutError:
                continue

    async def recover(self) -> None:
        """At start: leases of the last process end (never-sent nudges are due again); a nudge
        it was sending when it died is logged and not sent again."""
        for user_id in await self.leases.recover(self.clock(), nudges.on_due):
            log.warning("nudge to user=%s was being sent when the bot stopped; it may or may "
                        "not have arrived and is not sent again", user_id)  # fmt: skip

    async def run_once(self) -> Outcome:
        """Lease and deliver every nudge due now, a second's worth at a time."""
        outcome = Outcome()
        while not self._stop.is_set():
            claimed = await self.leases.claim(self.clock(), BATCH, nudges.on_due, LEASE)
            outcome.claimed += len(claimed)
            await asyncio.gather(*(self._deliver(user, level, due, outcome)
                                   for user, level, _, due in claimed))  # fmt: skip
            if len(claimed) < BATCH:
                break
        return outcome

    async def _deliver(self, user_id: int, level: str | None, due: Due, out: Outcome) -> None:
        if due.action == "defer":
            out.deferred += 1
            return
        now = self.clock()
        try:
            if due.action == "stop":
                await self._send(user_id, self.replies.nudges_stopped(), None)
                await self.leases.complete(user_id, due.state, now, "stopped")
                out.stopped += 1
                return
            tip = await self.next_step(user_id, level)
            done = await self.storage.count_events(user_id, "done", month_start(now))
            answer = self.replies.nudge(tip, done)
            await self._send(user_id, answer, keyboards.nudge(tip.id))
            await self.leases.complete(user_id, due.state, now, "sent", tip.id)
            out.sent += 1
        except Forbidden:
            # Blocked: the schedule moves on, and blocked users leave it at the next claim.
            await self.storage.mark_blocked(user_id, now)
            await self.leases.complete(user_id, replace(due.state, ignored=0), now)
            out.blocked += 1
        except FateUnknown:
            # Not sent again; not counted as sent or as ignored either.
            prior = due.state
            await self.leases.complete(user_id, replace(prior, ignored=max(0, prior.ignored - 1)),
                                       now)  # fmt: skip
            out.unknown += 1
        except (NotDelivered, TelegramError, OSError) as exc:
            # Not delivered: due again at the next round, not counted.
            log.error("nudge for user=%s not delivered (%s); due again at the next round",
                      user_id, type(exc).__name__)  # fmt: skip
            await self.leases.release(user_id)
            out.failed += 1

    async def next_step(self, user_id: int, level: str | None) -> Tip | PlanItem:
        """The user's next unfinished plan item, else their next unseen tip for their level
        (a new round once all were seen)."""
        plan = plans.plan_from(self.kb, level)
        open_items: list[PlanItem] = []
        if plan is not None:
            open_items = plans.open_items(plan, await self.storage.plan_statuses(user_id))
        seen = await self.storage.tips_seen(user_id)
        step, restarted = nudges.pick_step(open_items, self.kb.tips, level, seen)
        if restarted:
            await self.storage.forget_tips(user_id, seen)
        return step

    async def _send(self, chat_id: int, answer: Answer, markup: Any) -> None:
        """Send at background priority (a reply to someone chatting never waits behind
        nudges); a nudge is marked as being sent just before its request leaves."""
        html = render.html(answer, self.kb.sources)

        async def sending() -> None:
            await self.leases.sending(chat_id)

        async def not_sent() -> None:
            await self.leases.unsent(chat_id)

        await self.sender.call(
            chat_id,
            lambda ticket: self.bot.send_message(
                chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup,
                rate_limit_args=ticket,
            ),
            BACKGROUND,
            keyed=False,
            window=0.0,
            hooks=(sending, not_sent),
            strict=True,
        )  # fmt: skip


def month_start(now: datetime) -> datetime:
    """The first moment of now's month (UTC), for "steps done this month"."""
    return datetime(now.year, now.month, 1, tzinfo=UTC)
