"""Crash drills with figures: `careerbot run` against the fake Bot API over HTTP, SIGKILLed at
random moments during a burst of updates and during a nudge round (10 kills of each kind by
default), then restarted; and the bot's RSS with 100,000 updates waiting at Telegram, and how
long SIGTERM takes with a backlog.

Reports, per kind of kill: messages lost, duplicated, replies whose fate the bot logged as
unknown, the time to stop, and the database's integrity check.
Run: python benchmarks/crash.py [--kills 10] [--updates 1000] [--nudges 500] [--pending 100000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.crash import BotProcess, Drill, burst, nudge_round, wait_for  # noqa: E402
from tests.fake_telegram import FakeServer, FakeTelegram  # noqa: E402


def show(kind: str, drill: Drill) -> None:
    """One line of figures."""
    expected = sum(drill.expected.values())
    print(f"{kind}: {drill.kills} kills, {expected} messages expected: lost {drill.lost}, "
          f"duplicated {drill.duplicated}, fate logged as unknown {drill.unknown_logged}, "
          f"final stop {max(drill.stop_seconds):.2f} s, integrity {drill.integrity}",
          flush=True)  # fmt: skip


def rss_mb(pid: int) -> float:
    """A process's resident set size now."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def backlog(tmp: Path, pending: int) -> None:
    """RSS over time with `pending` updates waiting at Telegram, and SIGTERM's time."""
    api = FakeTelegram()
    for i in range(pending):
        api.queue(api.message_update(1_000_000 + i, "what skills for senior?"))
    with FakeServer(api) as server:
        bot = BotProcess(tmp / "backlog.sqlite3", server)
        samples = []
        started = time.monotonic()
        wait_for(lambda: len(api.sent) > 0, 60)
        for _ in range(6):
            time.sleep(5)
            samples.append(rss_mb(bot.proc.pid))
        answered = len(api.sent)
        stop = bot.terminate()
        bot.output()
        print(f"backlog of {pending:,} at Telegram: RSS {', '.join(f'{s:.0f}' for s in samples)} "
              f"MB at 5 s intervals; {answered} answered in {time.monotonic() - started:.0f} s; "
              f"still waiting at Telegram {api.pending_updates():,}; SIGTERM exit after "
              f"{stop:.2f} s (code {bot.proc.returncode})", flush=True)  # fmt: skip


def main() -> None:
    """Run the drills and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--nudges", type=int, default=500)
    parser.add_argument("--pending", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        show("kill -9 during a burst", burst(Path(tmp), args.updates, 200, args.kills))
    with tempfile.TemporaryDirectory() as tmp:
        show("kill -9 during a nudge round", nudge_round(Path(tmp), args.nudges, args.kills))
    with tempfile.TemporaryDirectory() as tmp:
        backlog(Path(tmp), args.pending)


if __name__ == "__main__":
    main()
