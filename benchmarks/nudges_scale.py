"""Nudges at scale: 100,000 users in the database, 10,000 of them due at once.

Reports the time to select and claim the due users, the dispatcher's peak memory, and the
handling time (median, p99) of interactive replies while the 10,000 nudges go out through the
fake Bot API at Telegram's pace (--rate, 25 a second), against the same replies with no nudges
going out; and how fast the dispatcher is with no pacing at all.
Run: python benchmarks/nudges_scale.py [--users 100000] [--due 10000] [--rate 25]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402

from bot.coaching import nudges  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.knowledge import loader  # noqa: E402
from bot.storage.store import Storage  # noqa: E402
from bot.tg.app import build_application  # noqa: E402
from bot.tg.deps import app_deps  # noqa: E402
from bot.tg.pacing import PriorityRateLimiter  # noqa: E402
from tests.fake_telegram import TOKEN, FakeRequest, FakeTelegram  # noqa: E402

NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]
LEVELS = ["junior", "mid", "senior", "staff"]


async def populate(db: Path, users: int, due: int) -> None:
    """Create the schema through Storage, then bulk-load users (setup only, not measured)."""
    storage = await Storage.open(db)
    await storage.close()
    rng = random.Random(7)
    now = int(NOW.timestamp())
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO users (user_id, level, market, created_at, updated_at, last_seen) "
            "VALUES (?, ?, NULL, ?, ?, ?)",
            ((u, LEVELS[u % 4], now, now, now) for u in range(1, users + 1)),
        )
        rows = []
        for u in range(1, users + 1):
            next_due = now - rng.randint(0, 3600) if u <= due else now + rng.randint(60, 7 * 86400)
            rows.append(("weekly", u % 7, 9 + u % 10, 0, ZONES[u % 5], next_due))
        conn.executemany(
            "INSERT INTO nudge_settings (user_id, cadence, weekday, hour, minute, tz, next_due, "
            "offered) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
            ((u, *row) for u, row in enumerate(rows, 1)),
        )


async def measure_claims(db: Path, due: int) -> None:
    """Select-and-claim time for the due users, in the dispatcher's batches."""
    storage = await Storage.open(db)
    # Claims move users on; keep a pristine copy of the schedule for the delivery run.
    batches, total = [], 0
    started = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        claimed = await storage.claim_due(NOW, 500, nudges.on_due)
        batches.append((time.perf_counter() - t0) * 1000)
        total += len(claimed)
        if len(claimed) < 500:
            break
    elapsed = time.perf_counter() - started
    await storage.close()
    print(f"claim: {total} due users in {len(batches)} transactions of up to 500, "
          f"{elapsed * 1000:.0f} ms in all; per transaction median "
          f"{statistics.median(batches):.1f} ms, max {max(batches):.1f} ms")  # fmt: skip
    assert total == due, (total, due)


async def start_app(db: Path, api: FakeTelegram, rate: float | None) -> Any:
    """The real Application on the fake transport; pacing at `rate` (None: unpaced)."""
    kb = loader.load(ROOT / "knowledge")
    settings = Settings(token=TOKEN, db=str(db))
    app = build_application(settings, kb, request=FakeRequest(api), clock=lambda: NOW,
                            rate_limit=rate is not None, dispatch_nudges=False)  # fmt: skip
    if rate is not None:
        app.bot._rate_limiter = PriorityRateLimiter(rate=rate)  # type: ignore[attr-defined]
    await app.initialize()
    assert app.post_init
    await app.post_init(app)
    return app


async def stop_app(app: Any) -> None:
    await app.shutdown()
    assert app.post_shutdown
    await app.post_shutdown(app)


async def dispatch_unpaced(db: Path) -> None:
    """How fast the dispatcher itself is, and its peak memory, with no pacing at all."""
    api = FakeTelegram()
    app = await start_app(db, api, None)
    tracemalloc.start()
    t0 = time.perf_counter()
    outcome = await app_deps(app).nudger.run_once()
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    await stop_app(app)
    print(f"dispatch, unpaced: {outcome.sent} nudges sent and {outcome.deferred} deferred "
          f"(quiet hours) in {elapsed:.1f} s = {outcome.sent / elapsed:.0f} nudges/s; "
          f"peak traced memory {peak / 2**20:.1f} MiB")  # fmt: skip


async def replies_during(db: Path, with_nudges: bool, rate: float, chats: int) -> list[float]:
    """Handling times of interactive replies, optionally while the due nudges go out."""
    api = FakeTelegram()
    app = await start_app(db, api, rate)
    nudger = app_deps(app).nudger
    nudging = asyncio.create_task(nudger.run_once()) if with_nudges else None
    questions = [
        "what skills for senior?",
        "how much does a staff mle make in london",
        "how long from mid to senior",
        "I feel stuck",
        "should I switch companies",
    ]
    await asyncio.sleep(1.0)
    times: list[float] = []
    for i in range(chats):
        update = Update.de_json(api.message_update(900_000 + i, questions[i % 5]), app.bot)
        t0 = time.perf_counter()
        await app.process_update(update)
        times.append((time.perf_counter() - t0) * 1000)
        await asyncio.sleep(0.1)
    if nudging:
        nudges_out = len(api.sent) - chats
        print(f"  {nudges_out} nudges went out while {chats} replies were measured "
              f"({nudges_out / (chats * 0.1 + 1):.1f} a second)")  # fmt: skip
        nudging.cancel()
    await stop_app(app)
    return times


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


async def main_async(users: int, due: int, rate: float, chats: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "nudges.sqlite3"
        t0 = time.perf_counter()
        await populate(db, users, due)
        print(f"database: {users} users, {due} due at {NOW.isoformat()} "
              f"(setup {time.perf_counter() - t0:.1f} s)")  # fmt: skip
        pristine = Path(tmp) / "pristine.sqlite3"
        with sqlite3.connect(db) as src, sqlite3.connect(pristine) as dst:
            src.backup(dst)
        await measure_claims(db, due)
        unpaced = Path(tmp) / "unpaced.sqlite3"
        with sqlite3.connect(pristine) as src, sqlite3.connect(unpaced) as dst:
            src.backup(dst)
        await dispatch_unpaced(unpaced)
        print(f"interactive replies, pacer at {rate:g} messages/s:")
        quiet = Path(tmp) / "quiet.sqlite3"
        with sqlite3.connect(pristine) as src, sqlite3.connect(quiet) as dst:
            src.backup(dst)
            dst.execute("UPDATE nudge_settings SET next_due = NULL")
        print(" without nudges going out:")
        base = await replies_during(quiet, False, rate, chats)
        print(" while the due nudges go out:")
        busy = await replies_during(pristine, True, rate, chats)
    (bm, bp), (nm, np) = summary(base), summary(busy)
    print(f"reply handling without nudges: median {bm:.2f} ms, p99 {bp:.2f} ms")
    print(f"reply handling during nudges:  median {nm:.2f} ms, p99 {np:.2f} ms "
          f"(ratio {nm / bm:.2f}x median, {np / bp:.2f}x p99)")  # fmt: skip
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--chats", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main_async(args.users, args.due, args.rate, args.chats))


if __name__ == "__main__":
    main()
