"""The nudge dispatcher: claims due nudges in the database, sends them at background priority."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.answering import render
from bot.answering.answer import Answer
from bot.domain import Due
from bot.knowledge.model import KnowledgeBase
from bot.services import Services
from bot.tg import keyboards
from bot.tg.delivery import FateUnknown, NotDelivered, Sender, chat_gone
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
        services: Services,
        clock: Any,
        interval: float = INTERVAL,
        sender: Sender | None = None,
    ) -> None:
        self.bot, self.kb, self.services = bot, kb, services
        self.clock = clock
        self.interval = interval
        self.sender = sender or Sender(bot, clock)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the repeating dispatcher (its first round runs right away)."""
        self._task = asyncio.create_task(self._loop(), name="nudger")

    async def stop(self) -> None:
        """Let the sends in hand finish (up to STOP_GRACE seconds), then stop; an unsent lease
        is due again at the next start."""
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
        for user_id in await self.services.recover_leases(self.clock()):
            log.warning("nudge to user=%s was being sent when the bot stopped; it may or may "
                        "not have arrived and is not sent again", user_id)  # fmt: skip

    async def run_once(self) -> Outcome:
        """Lease and deliver every nudge due now, a second's worth at a time."""
        outcome = Outcome()
        while not self._stop.is_set():
            claimed = await self.services.claim_nudges(self.clock(), BATCH, LEASE)
            outcome.claimed += len(claimed)
            await asyncio.gather(*(self._deliver(user, level, due, outcome)
                                   for user, level, due in claimed))  # fmt: skip
            if len(claimed) < BATCH:
                break
        return outcome

    async def _deliver(self, user_id: int, level: str | None, due: Due, out: Outcome) -> None:
        if due.action == "defer":
            out.deferred += 1
            return
        now = self.clock()
        services = self.services
        try:
            if due.action == "stop":
                await self._send(user_id, services.replies.nudges_stopped(), None)
                await services.nudge_accepted(user_id, due, now, None)
                out.stopped += 1
                return
            answer, step_id = await services.nudge_message(user_id, level, now)
            await self._send(user_id, answer, keyboards.nudge(step_id))
            await services.nudge_accepted(user_id, due, now, step_id)
            out.sent += 1
        except (Forbidden, BadRequest) as exc:
            if isinstance(exc, BadRequest) and not chat_gone(exc):
                log.error("nudge for user=%s refused: %s", user_id, exc.message)
                await services.nudge_not_delivered(user_id)
                out.failed += 1
                return
            # Blocked, or the chat is gone: blocked users leave the schedule at the next claim.
            await services.nudge_refused(user_id, due, now)
            out.blocked += 1
        except FateUnknown:
            await services.nudge_unknown(user_id, due, now)
            out.unknown += 1
        except (NotDelivered, TelegramError, OSError) as exc:
            log.error("nudge for user=%s not delivered (%s); due again at the next round",
                      user_id, type(exc).__name__)  # fmt: skip
            await services.nudge_not_delivered(user_id)
            out.failed += 1

    async def _send(self, chat_id: int, answer: Answer, markup: Any) -> None:
        """Send at background priority (a reply to someone chatting never waits behind
        nudges); a nudge is marked as being sent just before its request leaves."""
        html = render.html(answer, self.kb.sources)

        async def sending() -> None:
            await self.services.nudge_sending(chat_id)

        async def not_sent() -> None:
            await self.services.nudge_unsent(chat_id)

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
