"""From Telegram to the inbox and from the inbox to the handlers: the long-polling fetch loop
and the processor that runs stored updates in per-chat order and marks them done."""

from __future__ import annotations

import asyncio
import json
import logging
import warnings
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.storage.durable import Inbox, InboxRow, Outbox
from bot.storage.health import is_write_failure
from bot.tg.delivery import CURRENT, Work

log = logging.getLogger(__name__)

# Long polling: how long Telegram holds a getUpdates call open, and how many updates it returns.
POLL_TIMEOUT = 10
POLL_LIMIT = 100
# How many updates are processed at once (each chat's in order), and when one whose write
# failed (a full disk) is tried again.
CONCURRENCY = 64
RETRY_DELAY = timedelta(seconds=30)
# Done updates are kept (their ids only) this long, to drop re-deliveries.
KEEP_DONE = timedelta(days=1)

# The fetch loop asks for raw getUpdates results, so that one update PTB cannot parse is
# stored and skipped on its own instead of failing the whole batch.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)

App = Application[Any, Any, Any, Any, Any, Any]


def chat_key(update: dict[str, Any]) -> int | None:
    """The id whose updates must keep their order: the chat's, else the sender's."""
    for name, value in update.items():
        if name == "update_id" or not isinstance(value, dict):
            continue
        for holder in (value, value.get("message")):
            if isinstance(holder, dict):
                chat = holder.get("chat")
                if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                    return int(chat["id"])
        for who in ("from", "user", "voter_chat"):
            person = value.get(who)
            if isinstance(person, dict) and isinstance(person.get("id"), int):
                return int(person["id"])
    return None


def rows_of(raw: Iterable[Any]) -> list[tuple[int, int | None, str]]:
    """Inbox rows of raw updates; anything without an integer update_id is dropped."""
    rows = []
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("update_id"), int):
            rows.append((int(item["update_id"]), chat_key(item), json.dumps(item)))
    return rows


class Processor:
    """Runs the inbox's updates through the Application: one chat's in order, chats at once."""

    def __init__(
        self,
        app: App,
        inbox: Inbox,
        outbox: Outbox | None,
        clock: Callable[[], datetime],
        concurrency: int = CONCURRENCY,
        retry_delay: timedelta = RETRY_DELAY,
    ) -> None:
        self.app, self.inbox, self.outbox, self.clock = app, inbox, outbox, clock
        self.retry_delay = retry_delay
        self._gate = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._stopping = False
        self._chats: dict[object, deque[InboxRow]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # Ids loaded and not yet finished; finished ids leave it only at the next scan (a scan
        # already under way may still see them pending).
        self._known: set[int] = set()
        self._finished: set[int] = set()
        self._held: dict[int, datetime] = {}
        self._apologized: set[int] = set()
        self.processed = 0

    def wake(self) -> None:
        """New updates are in the inbox."""
        self._wake.set()

    @property
    def busy(self) -> int:
        """How many updates are loaded and not finished."""
        return len(self._known)

    async def run(self) -> None:
        """Load pending updates and process them, until stopped."""
        while not self._stopping:
            self._wake.clear()
            finished, self._finished = self._finished, set()
            try:
                rows = await self.inbox.pending(self.clock(), limit=1000 + len(self._known))
            except Exception:
                log.exception("inbox: could not read pending updates; trying again")
                rows = []
            self._known -= finished
            now = self.clock()
            for row in rows:
                held = self._held.get(row.update_id)
                if row.update_id in self._known or (held is not None and held > now):
                    continue
                self._held.pop(row.update_id, None)
                self._known.add(row.update_id)
                key: object = row.chat_key if row.chat_key is not None else ("u", row.update_id)
                queue = self._chats.get(key)
                if queue is None:
                    queue = self._chats[key] = deque()
                    task = asyncio.create_task(self._drain(key, queue))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                queue.append(row)
            try:
                async with asyncio.timeout(1.0):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def stop(self, grace: float) -> None:
        """Start no more updates; let those in hand finish for up to `grace` s, then cancel
        them. Whatever is not done stays in the inbox for the next start."""
        self._stopping = True
        self._wake.set()
        tasks = list(self._tasks)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                log.warning("shutdown: %d update(s) cut short; they stay in the inbox",
                            len(pending))  # fmt: skip
                await asyncio.wait(pending, timeout=1.0)

    async def _drain(self, key: object, queue: deque[InboxRow]) -> None:
        try:
            while queue and not self._stopping:
                row = queue[0]
                async with self._gate:
                    if self._stopping:
                        break
                    await self.process(row)
                queue.popleft()
        finally:
            self._chats.pop(key, None)

    async def process(self, row: InboxRow, durable: bool = True) -> Work:
        """Process one update and record the outcome: done, or held for a retry when a write
        failed (the user was told). `durable=False`: an update the inbox could not store."""
        work = Work(row.update_id, self.outbox if durable else None)
        # An update tried again after a failed write is not apologized for twice.
        work.apologized = row.update_id in self._apologized
        token = CURRENT.set(work)
        try:
            update = self._parse(row)
            if update is not None:
                await self.app.process_update(update)
        finally:
            CURRENT.reset(token)
        self.processed += 1
        if work.write_failed:
            self._apologized.add(row.update_id)
        else:
            self._apologized.discard(row.update_id)
        if not durable:
            return work
        try:
            if work.write_failed:
                at = self.clock() + self.retry_delay
                self._held[row.update_id] = at
                await self.inbox.retry_later(row.update_id, at)
            else:
                await self.inbox.done(row.update_id, self.clock())
        except Exception as exc:
            if not is_write_failure(exc):
                raise
            # Done but not recorded (a full disk): kept out of this process's way; a restart
            # replays it, and the outbox keeps it from answering twice where it could write.
            log.error("update=%s: could not record its outcome (%s)", row.update_id, exc)
            self._held[row.update_id] = self.clock() + (
                self.retry_delay if work.write_failed else timedelta(days=365)
            )
        if row.update_id in self._known:  # loaded by run(): leaves _known at the next scan
            self._finished.add(row.update_id)
        return work

    def _parse(self, row: InboxRow) -> Update | None:
        try:
            return Update.de_json(json.loads(row.body), self.app.bot)
        except Exception as exc:  # one unreadable update must not stop the others
            log.error("update=%s could not be read (%s: %s); skipped", row.update_id,
                      type(exc).__name__, str(exc)[:200])  # fmt: skip
            return None


class Occasional:
    """Logs a recurring condition once, then at most every `every` s with how often it recurred
    meanwhile (a 409 Conflict comes every few seconds while another instance polls)."""

    def __init__(self, logger: logging.Logger, clock: Callable[[], float], every: float) -> None:
        self.logger, self.clock, self.every = logger, clock, every
        self._count = 0
        self._logged_at: float | None = None

    def error(self, message: str) -> None:
        """Note one occurrence."""
        now = self.clock()
        self._count += 1
        if self._logged_at is None or now - self._logged_at >= self.every:
            extra = f" ({self._count} times in {self.every:.0f} s)" if self._logged_at else ""
            self.logger.error("%s%s", message, extra)
            self._logged_at, self._count = now, 0


class ErrorBurst:
    """Logs an error once, then how often it repeated, instead of a line per repetition."""

    def __init__(self, logger: logging.Logger, clock: Callable[[], float]) -> None:
        self.logger, self.clock = logger, clock
        self._last: str | None = None
        self._count = 0
        self._since = 0.0

    def error(self, message: str) -> None:
        """Note one occurrence of `message`."""
        now = self.clock()
        if message == self._last and now - self._since < 300:
            self._count += 1
            return
        self.flush()
        self.logger.error("%s", message)
        self._last, self._count, self._since = message, 0, now

    def flush(self) -> None:
        """Log how often the last error repeated since it was logged (the burst is over)."""
        if self._last is not None and self._count:
            self.logger.error("%s (repeated %d more times)", self._last, self._count)
        self._last, self._count = None, 0


async def poll(
    app: App,
    inbox: Inbox,
    processor: Processor,
    max_pending: int,
    clock: Callable[[], datetime],
    monotonic: Callable[[], float],
    stop: asyncio.Event,
) -> None:
    """Long polling into the inbox. An update is confirmed to Telegram (by the next call's
    offset) only once it is stored; fetching pauses while more than `max_pending` wait."""
    bot = app.bot
    last = await inbox.last_update_id()
    offset = last + 1 if last is not None else None
    errors = ErrorBurst(log, monotonic)
    conflicts = Occasional(log, monotonic, 300.0)
    volatile = Volatile(processor, clock)
    backoff = 1.0
    while not stop.is_set():
        if await inbox.pending_count() > max_pending:
            await _sleep_unless(stop, 0.5)  # the backlog waits at Telegram, not in memory
            continue
        try:
            raw = await bot.do_api_request(
                "getUpdates",
                api_kwargs={"offset": offset, "timeout": POLL_TIMEOUT, "limit": POLL_LIMIT,
                            "allowed_updates": list(Update.ALL_TYPES)},
                read_timeout=POLL_TIMEOUT + 10,
            )  # fmt: skip
        except InvalidToken:
            raise
        except Conflict:
            conflicts.error(
                "Telegram answered 409 Conflict: another process is polling with this bot token "
                "(or a webhook is set for it); only one may. Retrying"
            )
            await _sleep_unless(stop, backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        except (NetworkError, TelegramError) as exc:
            errors.error(f"getUpdates failed ({type(exc).__name__}: {exc.message}); retrying")
            await _sleep_unless(stop, backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        errors.flush()
        backoff = 1.0
        rows = rows_of(raw if isinstance(raw, list) else [])
        if not rows:
            continue
        try:
            await inbox.add(rows, clock())
            processor.wake()
            offset = max(update_id for update_id, _, _ in rows) + 1
        except Exception as exc:
            if not is_write_failure(exc):
                raise
            offset = await volatile.process(rows, exc)
            if offset is not None and offset <= rows[-1][0]:
                await _sleep_unless(stop, 1.0)  # an update waits for its retry at Telegram


class Volatile:
    """Updates the inbox could not store (a full disk), processed from memory. One whose write
    failed stays unconfirmed at Telegram (the offset stops at it) and is tried again after a
    delay; the others are answered once and remembered until the offset passes them."""

    def __init__(self, processor: Processor, clock: Callable[[], datetime]) -> None:
        self.processor, self.clock = processor, clock
        self.answered: set[int] = set()
        self.retry_at: dict[int, datetime] = {}
        self._logged = False

    async def process(self, rows: list[tuple[int, int | None, str]], exc: Exception) -> int:
        """Process what is due; the next getUpdates offset."""
        if not self._logged:
            log.error("inbox not writable (%s): updates are answered from memory and any that "
                      "needs a write stays at Telegram for a retry", exc)  # fmt: skip
            self._logged = True
        first_waiting: int | None = None
        for update_id, key, body in rows:
            if update_id in self.answered:
                continue
            due = self.retry_at.get(update_id)
            if due is not None and due > self.clock():
                first_waiting = update_id if first_waiting is None else first_waiting
                continue
            work = await self.processor.process(InboxRow(update_id, key, body, 0), durable=False)
            if work.write_failed:
                self.retry_at[update_id] = self.clock() + self.processor.retry_delay
                first_waiting = update_id if first_waiting is None else first_waiting
            else:
                self.retry_at.pop(update_id, None)
                self.answered.add(update_id)
        last = rows[-1][0]
        offset = first_waiting if first_waiting is not None else last + 1
        self.answered = {u for u in self.answered if u >= offset}
        return offset


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    try:
        async with asyncio.timeout(seconds):
            await stop.wait()
    except TimeoutError:
        pass


async def prune(inbox: Inbox, clock: Callable[[], datetime], stop: asyncio.Event) -> None:
    """Delete old done updates once an hour (and at start)."""
    while not stop.is_set():
        try:
            removed = await inbox.prune(clock() - KEEP_DONE)
            if removed:
                log.info("inbox: pruned %d old update(s)", removed)
        except Exception as exc:
            log.warning("inbox: pruning failed (%s)", exc)
        await _sleep_unless(stop, 3600)
