"""The real Application against the fake Bot API, driven update by update."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update

from bot.config import Settings
from bot.knowledge.model import KnowledgeBase
from bot.storage.durable import Inbox
from bot.storage.store import Storage
from bot.tg.app import build_application
from bot.tg.deps import Deps, app_deps
from bot.tg.intake import Processor, poll, rows_of
from bot.tg.nudger import Nudger
from tests.conftest import NOW
from tests.fake_telegram import TOKEN, FakeRequest, FakeTelegram


class Harness:
    """Start the Application like `careerbot run` does (without a network), feed it updates."""

    def __init__(
        self,
        kb: KnowledgeBase,
        db: Path,
        api: FakeTelegram | None = None,
        admin_ids: frozenset[int] = frozenset(),
        keep_unanswered: bool = True,
    ) -> None:
        self.api = api or FakeTelegram()
        self.now = NOW
        settings = Settings(
            token=TOKEN, db=str(db), admin_ids=admin_ids, keep_unanswered=keep_unanswered
        )
        # The dispatcher's rounds are run by the tests themselves, at the clock they set.
        self.app = build_application(
            settings, kb, request=FakeRequest(self.api), clock=lambda: self.now,
            dispatch_nudges=False,
        )  # fmt: skip

    @property
    def deps(self) -> Deps:
        """The handlers' dependencies."""
        deps = app_deps(self.app)
        return deps

    @property
    def storage(self) -> Storage:
        """The open database."""
        storage, _ = self.deps.ready
        return storage

    async def __aenter__(self) -> Harness:
        await self.app.initialize()
        assert self.app.post_init
        await self.app.post_init(self.app)
        self.inbox = Inbox(self.storage)
        self.processor = Processor(self.app, self.inbox, self.deps.outbox, lambda: self.now)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.shutdown()
        assert self.app.post_shutdown
        await self.app.post_shutdown(self.app)

    def tick(self, minutes: float = 1) -> None:
        """Move the injected clock forward."""
        self.now = self.now + timedelta(minutes=minutes)

    async def feed(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        """Process one update; the messages the bot sent in response."""
        before = len(self.api.sent)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.api.sent[before:]

    async def deliver(self, *updates: dict[str, Any]) -> list[dict[str, Any]]:
        """Store updates in the inbox (as the fetch loop does) and process what is pending,
        in order; the messages the bot sent in response."""
        before = len(self.api.sent)
        await self.inbox.add(rows_of(updates), self.now)
        for row in await self.inbox.pending(self.now, 1000):
            await self.processor.process(row)
        return self.api.sent[before:]

    async def polling(self, done: Callable[[], bool], limit: float = 20.0) -> None:
        """Run the real fetch loop and processor against the fake until `done()` holds."""
        stop = asyncio.Event()
        tasks = [asyncio.create_task(self.processor.run()),
                 asyncio.create_task(poll(self.app, self.inbox, self.processor, 1000,
                                          lambda: self.now, time.monotonic, stop))]  # fmt: skip
        try:
            async with asyncio.timeout(limit):
                while not done():
                    for task in tasks:
                        if task.done():
                            task.result()
                    await asyncio.sleep(0.02)
        finally:
            stop.set()
            await self.processor.stop(1.0)
            self.processor = Processor(self.app, self.inbox, self.deps.outbox, lambda: self.now)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def say(self, user_id: int, text: str, **kwargs: Any) -> list[dict[str, Any]]:
        """A user sends a message."""
        self.tick()
        return await self.feed(self.api.message_update(user_id, text, **kwargs))

    async def press(
        self, user_id: int, data: str, chat_id: int | None = None
    ) -> list[dict[str, Any]]:
        """A user presses an inline button."""
        self.tick()
        return await self.feed(self.api.button_update(user_id, data, chat_id))

    @property
    def nudger(self) -> Nudger:
        """The nudge dispatcher (not running by itself in tests)."""
        assert self.deps.nudger is not None
        return self.deps.nudger

    def at(self, moment: datetime) -> None:
        """Set the injected clock."""
        self.now = moment
