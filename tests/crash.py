"""Crash drills: the real `careerbot run` process against the fake Bot API over HTTP, killed with
SIGKILL at random moments during a burst of updates or a nudge round, and restarted. Shared by
the test suite (a few kills) and benchmarks/crash.py (the figures over many kills)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from bot.domain import NudgeState, Profile
from bot.storage.store import Storage
from tests.fake_telegram import TOKEN, FakeServer, FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
NUDGE_TIME = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
QUESTION = "what skills for senior?"


@dataclass
class Drill:
    """What one drill saw."""

    expected: dict[int, int]
    received: Counter[int] = field(default_factory=Counter)
    kills: int = 0
    unknown_logged: int = 0
    stop_seconds: list[float] = field(default_factory=list)
    integrity: str = ""
    exit_codes: list[int] = field(default_factory=list)

    @property
    def lost(self) -> int:
        """Expected messages never received."""
        return sum(max(0, n - self.received[c]) for c, n in self.expected.items())

    @property
    def duplicated(self) -> int:
        """Messages received beyond those expected."""
        return sum(max(0, self.received[c] - self.expected.get(c, 0)) for c in self.received)


class BotProcess:
    """`careerbot run` in a subprocess, its output in a file."""

    def __init__(self, db: Path, server: FakeServer, **env: str) -> None:
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("TELEGRAM_", "CAREERBOT_"))}  # fmt: skip
        self.env.update({"CAREERBOT_DB": str(db), "TELEGRAM_BOT_TOKEN": TOKEN,
                         "TELEGRAM_API_BASE_URL": server.base_url,
                         "CAREERBOT_LOG_LEVEL": "INFO", **env})  # fmt: skip
        self.log: IO[str] = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed in output())
        command = [sys.executable, "-m", "bot", "run"]
        self.proc = subprocess.Popen(command, env=self.env, stdout=self.log, stderr=self.log,
                                     text=True, cwd=ROOT)  # fmt: skip

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def terminate(self, timeout: float = 20.0) -> float:
        """SIGTERM; the seconds until the process exited."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return time.monotonic() - started

    def output(self) -> str:
        """Everything the process logged (once it has exited)."""
        self.proc.wait()
        self.log.seek(0)
        text = self.log.read()
        self.log.close()
        return text


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll `condition` until it holds or `timeout` s pass."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _started(api: FakeTelegram) -> Callable[[], bool]:
    before = api.calls.count("getMe")
    return lambda: api.calls.count("getMe") > before


def _count(api: FakeTelegram, received: Counter[int], prefix: str | None) -> None:
    received.clear()
    for message in api.sent:
        if prefix is None or message["text"].startswith(prefix):
            received[message["chat_id"]] += 1


def _inbox_empty(db: Path) -> bool:
    """Every stored update is done (read beside the running bot: WAL allows it)."""
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            row = conn.execute("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL").fetchone()
    except sqlite3.Error:
        return False
    return bool(row[0] == 0)


def _none_due(db: Path) -> bool:
    """No nudge is due at the drill's moment any more (each sent one moved on a week)."""
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM nudge_settings WHERE next_due <= ?",
                (int(NUDGE_TIME.timestamp()),),
            ).fetchone()
    except sqlite3.Error:
        return False
    return bool(row[0] == 0)


def _finish(drill: Drill, db: Path) -> Drill:
    with sqlite3.connect(db) as conn:
        drill.integrity = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    return drill


def burst(tmp: Path, updates: int, users: int, kills: int, seed: int = 1) -> Drill:
    """`updates` questions from `users` users, all queued at once; the bot is SIGKILLed at
    `kills` random moments while it works through them, restarted each time."""
    rng = random.Random(seed)
    api = FakeTelegram()
    db = tmp / "burst.sqlite3"
    expected: Counter[int] = Counter()
    for i in range(updates):
        user = 10_000 + i % users
        api.queue(api.message_update(user, QUESTION))
        expected[user] += 1
    drill = Drill(dict(expected))
    total = sum(expected.values())
    with FakeServer(api) as server:
        for _ in range(kills):
            bot = BotProcess(db, server)
            wait_for(_started(api), 30)
            # Somewhere in the burst: it takes about updates / 25 s at Telegram's pace.
            target = len(api.sent) + rng.randint(1, max(2, (total - len(api.sent)) // 2))
            wait_for(lambda t=target: len(api.sent) >= t, 60)  # type: ignore[misc]
            time.sleep(rng.random() * 0.2)
            bot.kill()
            drill.kills += 1
            drill.unknown_logged += bot.output().count("may or may not have arrived")
        bot = BotProcess(db, server)
        wait_for(lambda: api.pending_updates() == 0 and _inbox_empty(db), 30 + total / 10)
        time.sleep(1.0)  # anything extra would show up now
        drill.stop_seconds.append(bot.terminate())
        drill.exit_codes.append(bot.proc.returncode)
        drill.unknown_logged += bot.output().count("may or may not have arrived")
    _count(api, drill.received, None)
    return _finish(drill, db)


async def _due_users(db: Path, users: int) -> None:
    storage = await Storage.open(db)
    try:
        due = NUDGE_TIME - timedelta(minutes=5)
        for i in range(users):
            user = 20_000 + i
            await storage.save(Profile(user, "mid"), None, due)
            state = NudgeState(cadence="weekly", weekday=0, hour=11, minute=55, tz="UTC",
                               next_due=due)  # fmt: skip
            await storage.save_nudges(user, state, due)
    finally:
        await storage.close()


def nudge_round(tmp: Path, users: int, kills: int, seed: int = 2) -> Drill:
    """`users` users due a nudge at once; the bot is SIGKILLed at `kills` random moments of the
    round, restarted each time; each must get exactly one nudge."""
    rng = random.Random(seed)
    api = FakeTelegram()
    db = tmp / "nudges.sqlite3"
    asyncio.run(_due_users(db, users))
    drill = Drill({20_000 + i: 1 for i in range(users)})
    env = {"CAREERBOT_FAKE_NOW": NUDGE_TIME.isoformat()}
    with FakeServer(api) as server:
        for _ in range(kills):
            bot = BotProcess(db, server, **env)
            wait_for(_started(api), 30)
            target = len(api.sent) + rng.randint(1, max(2, (users - len(api.sent)) // 2))
            wait_for(lambda t=target: len(api.sent) >= t, 60)  # type: ignore[misc]
            time.sleep(rng.random() * 0.2)
            bot.kill()
            drill.kills += 1
            drill.unknown_logged += bot.output().count("may or may not have arrived")
        bot = BotProcess(db, server, **env)
        wait_for(lambda: _none_due(db), 30 + users / 10)
        time.sleep(1.0)
        drill.stop_seconds.append(bot.terminate())
        drill.exit_codes.append(bot.proc.returncode)
        drill.unknown_logged += bot.output().count("may or may not have arrived")
    _count(api, drill.received, "<b>A small next step")
    return _finish(drill, db)
