"""The nudge dispatcher: claims due nudges in the database, sends them at background priority."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
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
from bot.storage.store import Storage
from bot.tg import keyboards
from bot.tg.pacing import BACKGROUND

log = logging.getLogger(__name__)

# How often due nudges are looked for (the issue allows at most a minute), how many are claimed
# per transaction, and how many are in flight at once (the pacer spaces them out).
INTERVAL = 30.0
BATCH = 500
IN_FLIGHT = 32
# How long shutdown waits for a dispatch round in progress.
STOP_GRACE = 5.0


@dataclass
class Outcome:
    """What one dispatch round did."""

    claimed: int = 0
    sent: int = 0
    stopped: int = 0
    deferred: int = 0
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
    ) -> None:
        self.bot, self.kb, self.storage, self.replies = bot, kb, storage, replies
        self.clock = clock
        self.interval = interval
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

    async def run_once(self) -> Outcome:
        """Claim and deliver every nudge due now, batch by batch."""
        outcome = Outcome()
        while not self._stop.is_set():
            claimed = await self.storage.claim_due(self.clock(), BATCH, nudges.on_due)
            outcome.claimed += len(claimed)
            gate = asyncio.Semaphore(IN_FLIGHT)
            await asyncio.gather(
                *(self._deliver(gate, user, level, due, outcome) for user, level, due in claimed)
            )
            if len(claimed) < BATCH:
                break
        return outcome

    async def _deliver(
        self, gate: asyncio.Semaphore, user_id: int, level: str | None, due: Due, out: Outcome
    ) -> None:
        if due.action == "defer":
            out.deferred += 1
            return
        async with gate:
            now = self.clock()
            try:
                if due.action == "stop":
                    await self._send(user_id, self.replies.nudges_stopped(), None)
                    await self.storage.nudge_event(user_id, None, "stopped", now)
                    out.stopped += 1
                    return
                tip = await self.next_step(user_id, level)
                done = await self.storage.count_events(user_id, "done", month_start(now))
                answer = self.replies.nudge(tip, done)
                await self._send(user_id, answer, keyboards.nudge(tip.id))
                await self.storage.nudge_event(user_id, tip.id, "sent", now)
                out.sent += 1
            except Forbidden:
                # The schedule already moved on; blocked users leave it at the next claim.
                await self.storage.mark_blocked(user_id, now)
                out.blocked += 1
            except (TelegramError, OSError) as exc:
                log.error("nudge for user=%s failed: %s", user_id, type(exc).__name__)
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
        # Background priority: a reply to someone chatting never waits behind nudges.
        priority = BACKGROUND if self.bot.rate_limiter else None
        await self.bot.send_message(
            chat_id,
            render.html(answer, self.kb.sources),
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            rate_limit_args=priority,
        )


def month_start(now: datetime) -> datetime:
    """The first moment of now's month (UTC), for "steps done this month"."""
    return datetime(now.year, now.month, 1, tzinfo=UTC)
