"""Memory over many users and many messages: updates go the durable way (inbox, processor, the
real Application, the fake Bot API in-process, no pacing) and RSS is read at checkpoints.

Issue 13 asks for RSS flat (within 10 MB) from 100,000 to 1,000,000 distinct users, and over
1,000,000 messages from 1,000 users.
Run: python benchmarks/memory.py [--users 1000000] [--messages 1000000] [--every 100000]
(minutes: about 1-2 ms an update).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.knowledge import loader  # noqa: E402
from bot.storage.durable import Inbox  # noqa: E402
from bot.tg.app import build_application  # noqa: E402
from bot.tg.deps import app_deps  # noqa: E402
from bot.tg.intake import Processor, rows_of  # noqa: E402
from tests.conftest import NOW  # noqa: E402
from tests.fake_telegram import TOKEN, FakeRequest, FakeTelegram  # noqa: E402

# One in ten messages is a question the matcher works on; the rest are a cheap command.
TEXTS = ["/sources"] * 9 + ["what skills for senior?"]


def rss_mb() -> float:
    """Resident set size now (not the peak), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(total: int, users: int, every: int, label: str) -> list[tuple[int, float]]:
    """Feed `total` updates from `users` distinct users (user i % users); RSS every `every`."""
    kb = loader.load(None)
    api = FakeTelegram()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(token=TOKEN, db=str(Path(tmp) / "bench.sqlite3"))
        app = build_application(settings, kb, request=FakeRequest(api), rate_limit=False,
                                dispatch_nudges=False)  # fmt: skip
        await app.initialize()
        assert app.post_init
        await app.post_init(app)
        deps = app_deps(app)
        storage, _ = deps.ready
        inbox = Inbox(storage)
        processor = Processor(app, inbox, deps.outbox, lambda: NOW)
        points: list[tuple[int, float]] = []
        started = time.monotonic()
        for start in range(0, total, 100):
            batch = [api.message_update(10_000 + (i % users), TEXTS[i % len(TEXTS)])
                     for i in range(start, min(total, start + 100))]  # fmt: skip
            await inbox.add(rows_of(batch), NOW)
            for row in await inbox.pending(NOW, 200):
                await processor.process(row)
            # The fake keeps what was sent; the bot under test must not.
            api.sent.clear()
            api.calls.clear()
            api.callback_answers.clear()
            api._messages.clear()
            done = start + len(batch)
            if done % every == 0 or done == total:
                await inbox.prune(NOW.replace(year=NOW.year + 1))
                gc.collect()
                points.append((done, rss_mb()))
                rate = done / (time.monotonic() - started)
                print(f"{label}: {done:>9,} updates  RSS {points[-1][1]:6.1f} MB  "
                      f"({rate:,.0f}/s)", flush=True)  # fmt: skip
        await app.shutdown()
        assert app.post_shutdown
        await app.post_shutdown(app)
    return points


def report(label: str, points: list[tuple[int, float]], baseline_at: int) -> None:
    """RSS spread from the baseline checkpoint on."""
    after = [mb for n, mb in points if n >= baseline_at]
    if after:
        print(f"{label}: RSS from {baseline_at:,} on: min {min(after):.1f} MB, max "
              f"{max(after):.1f} MB, spread {max(after) - min(after):.1f} MB")  # fmt: skip


def main() -> None:
    """Parse arguments, run both measurements, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--every", type=int, default=100_000)
    args = parser.parse_args()
    users = asyncio.run(run(args.users, args.users, args.every, "distinct users"))
    report("distinct users", users, min(100_000, args.every))
    messages = asyncio.run(run(args.messages, 1000, args.every, "1,000 users"))
    report("messages from 1,000 users", messages, min(100_000, args.every))


if __name__ == "__main__":
    main()
