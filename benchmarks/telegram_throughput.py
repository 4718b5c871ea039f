"""Updates per second and handling time through the real Application, with a fake transport.

Each update is a user message (a mix of the labelled questions, commands and button presses)
processed by the real handlers: matching, SQLite (a file database, WAL), rendering, and the
sendMessage call answered by the in-process fake Bot API (no network). Prints medians and p99s.
Telegram's own pacing (30 messages a second overall) is left out: it is the network's limit,
not the bot's speed. Run: python benchmarks/telegram_throughput.py [--updates N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402

from bot.cli.evaluation import load_cases  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.knowledge import loader  # noqa: E402
from bot.tg.app import build_application  # noqa: E402
from tests.fake_telegram import TOKEN, FakeRequest, FakeTelegram  # noqa: E402


def workload(api: FakeTelegram, n: int) -> list[dict[str, Any]]:
    """N updates from 200 users: questions, commands and button presses."""
    labelled = load_cases(ROOT / "tests" / "eval" / "questions.yaml")
    texts = [t["q"] for conv in labelled for t in conv]
    texts += ["/start", "/help", "/profile", "/level senior"]
    updates = []
    for i in range(n):
        user = i % 200 + 1
        if i % 10 == 9:
            updates.append(api.button_update(user, "q|salary|senior||uk"))
        else:
            updates.append(api.message_update(user, texts[i % len(texts)]))
    return updates


async def measure(n: int, concurrent: int) -> None:
    api = FakeTelegram()
    kb = loader.load(ROOT / "knowledge")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(token=TOKEN, db=str(Path(tmp) / "bench.sqlite3"))
        # Without Telegram's pacing (30 messages a second): this measures the bot's own work.
        app = build_application(settings, kb, request=FakeRequest(api),
                                clock=lambda: datetime.now(UTC), rate_limit=False)  # fmt: skip
        await app.initialize()
        assert app.post_init
        await app.post_init(app)
        for update in workload(api, 50):  # warm-up: caches, first connections
            await app.process_update(Update.de_json(update, app.bot))
        updates = [Update.de_json(u, app.bot) for u in workload(api, n)]

        times: list[float] = []
        started = time.perf_counter()
        for update in updates:
            t0 = time.perf_counter()
            await app.process_update(update)
            times.append((time.perf_counter() - t0) * 1000)
        sequential = len(updates) / (time.perf_counter() - started)

        # Many chats at once, as the update processor runs them (ordered within a chat).
        updates = [Update.de_json(u, app.bot) for u in workload(api, n)]
        processor = app.update_processor
        started = time.perf_counter()
        semaphore = asyncio.Semaphore(concurrent)

        async def one(update: Update) -> None:
            async with semaphore:
                await processor.process_update(update, app.process_update(update))

        await asyncio.gather(*(one(u) for u in updates))
        parallel = len(updates) / (time.perf_counter() - started)

        assert app.post_shutdown
        await app.shutdown()
        await app.post_shutdown(app)
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    print(f"updates: {len(updates)} ({len(api.sent)} messages sent, {len(api.rejected)} rejected)")
    print(f"handling time per update: median {statistics.median(times):.2f} ms, p99 {p99:.2f} ms")
    print(f"throughput: {sequential:.0f} updates/s one at a time, "
          f"{parallel:.0f} updates/s with {concurrent} in flight")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--concurrent", type=int, default=64)
    args = parser.parse_args()
    asyncio.run(measure(args.updates, args.concurrent))


if __name__ == "__main__":
    main()
