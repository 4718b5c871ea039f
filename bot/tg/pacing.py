"""Pacing sends within Telegram's limits, with interactive replies ahead of background nudges."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

INTERACTIVE = 0
BACKGROUND = 1
# Methods that send something to a chat; the rest (getMe, answerCallbackQuery...) pass freely.
_SENDS = frozenset({"sendMessage", "sendDocument", "editMessageText", "sendPhoto"})


@dataclass
class Ticket:
    """What a send passes as `rate_limit_args`: its priority, and what to record just before
    the request leaves (once a slot is granted) and when Telegram refused it with a 429."""

    priority: int = INTERACTIVE
    before_send: Callable[[], Awaitable[None]] | None = None
    not_sent: Callable[[], Awaitable[None]] | None = None


class _Bucket:
    """A token bucket: `rate` tokens a second, at most `burst` saved up."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, burst, now

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self, now: float, keep: float = 0.0) -> float:
        """Seconds until a token is available while `keep` stay in the bucket (0 if now)."""
        self.refill(now)
        need = 1 + keep
        return 0.0 if self.tokens >= need else (need - self.tokens) / self.rate


class PriorityRateLimiter(BaseRateLimiter[Ticket | int]):
    """About `rate` messages a second overall and `chat_rate` per chat; waiting interactive
    replies always go before waiting background sends (`rate_limit_args`: a Ticket, or
    BACKGROUND).

    Background sends also leave `reserve` tokens in the bucket, so a reply to someone chatting
    finds one at once instead of waiting for the next tick while nudges drain the budget.
    Flood control (429) pauses every send for the time Telegram asks, then retries.
    """

    def __init__(
        self,
        rate: float = 25.0,
        chat_rate: float = 1.0,
        chat_burst: float = 3.0,
        reserve: float = 5.0,
        max_retries: int = 5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate, self.chat_rate, self.chat_burst = rate, chat_rate, chat_burst
        self.max_retries = max_retries
        self.reserve = min(reserve, max(0.0, rate - 1))
        self._clock = clock
        self._overall = _Bucket(rate, max(1.0, rate), clock())
        self._chats: dict[object, _Bucket] = {}
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._pump: asyncio.Task[None] | None = None
        self._arrived = asyncio.Event()
        self._paused_until = 0.0

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Stop the pump."""
        if self._pump and not self._pump.done():
            self._pump.cancel()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Ticket | int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for a slot (per chat, then overall by priority), send, wait out 429s."""
        ticket = rate_limit_args if isinstance(rate_limit_args, Ticket) else None
        if endpoint not in _SENDS:
            if ticket and ticket.before_send:
                await ticket.before_send()
            return await callback(*args, **kwargs)
        priority = ticket.priority if ticket else rate_limit_args
        priority = BACKGROUND if priority == BACKGROUND else INTERACTIVE
        chat = data.get("chat_id")
        for attempt in range(self.max_retries + 1):
            await self._chat_slot(chat)
            await self._overall_slot(priority)
            try:
                if ticket and ticket.before_send:
                    await ticket.before_send()
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if ticket and ticket.not_sent:
                    await ticket.not_sent()
                if attempt == self.max_retries:
                    raise
                delay = _seconds(exc) + 0.1
                log.info("flood control: waiting %.1f s before sending again", delay)
                self._paused_until = max(self._paused_until, self._clock() + delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _chat_slot(self, chat: object) -> None:
        if chat is None:
            return
        bucket = self._chats.get(chat)
        if bucket is None:
            if len(self._chats) > 10_000:  # forget chats idle long enough to be full again
                now = self._clock()
                self._chats = {
                    c: b for c, b in self._chats.items() if b.wait(now) > 0 or b.tokens < b.burst
                }
            bucket = self._chats[chat] = _Bucket(self.chat_rate, self.chat_burst, self._clock())
        # Waiting for time to pass, not for an event: the bucket refills by the clock.
        while (delay := bucket.wait(self._clock())) > 0:  # noqa: ASYNC110
            await asyncio.sleep(delay)
        bucket.tokens -= 1

    async def _overall_slot(self, priority: int) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), future))
        self._arrived.set()  # a reply may not need to wait for the pump's current nap
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._run_pump())
        await future

    async def _run_pump(self) -> None:
        """Hand out overall tokens to waiters, interactive first, in arrival order."""
        while self._waiting:
            now = self._clock()
            pause = self._paused_until - now
            keep = self.reserve if self._waiting[0][0] == BACKGROUND else 0.0
            delay = max(pause, self._overall.wait(now, keep))
            if delay > 0:
                self._arrived.clear()
                try:
                    async with asyncio.timeout(delay):
                        await self._arrived.wait()
                except TimeoutError:
                    pass
                continue
            _, _, future = heapq.heappop(self._waiting)
            if future.cancelled():
                continue
            self._overall.tokens -= 1
            future.set_result(None)
            await asyncio.sleep(0)


def _seconds(exc: RetryAfter) -> float:
    value: Any = exc.retry_after
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)
