"""Nudges end to end: opt-in, settings, the dispatcher against the fake Bot API, each button,
blocked users, flood control, restarts without duplicates, pacing, and an outage."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.coaching import nudges
from bot.knowledge.model import KnowledgeBase
from bot.tg.pacing import BACKGROUND, PriorityRateLimiter
from tests import tghtml
from tests.fake_telegram import TOKEN, FakeServer, FakeTelegram
from tests.tg_harness import Harness

USER = 3131
MONDAY_9 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


@pytest.fixture
async def bot(kb: KnowledgeBase, tmp_path: Path) -> Any:
    async with Harness(kb, tmp_path / "bot.sqlite3", admin_ids=frozenset({7})) as harness:
        yield harness


def _text(message: dict[str, Any]) -> str:
    return tghtml.parse(message["text"])


async def _opted_in(bot: Harness, user: int = USER, level: str = "mid") -> None:
    await bot.say(user, f"/level {level}")
    await bot.press(user, "nud|weekly")


async def test_nothing_is_sent_without_opting_in(bot: Harness) -> None:
    await bot.say(USER, "I'm a senior ML engineer")
    bot.at(MONDAY_9 + timedelta(days=30))
    outcome = await bot.nudger.run_once()
    assert outcome.claimed == 0 and bot.api.sent[-1]["chat_id"] == USER
    assert all("small next step" not in _text(m) for m in bot.api.sent)


async def test_opt_in_and_a_due_nudge_arrives_with_buttons(bot: Harness) -> None:
    # A principal has no next plan, so nudges come from the tips (plan items: test_plans).
    await _opted_in(bot, level="principal")
    profile, _ = await bot.storage.load(USER)
    assert profile.nudges.cadence == "weekly" and profile.nudges.next_due == MONDAY_9
    bot.at(MONDAY_9 + timedelta(minutes=1))
    before = len(bot.api.sent)
    outcome = await bot.nudger.run_once()
    assert (outcome.claimed, outcome.sent) == (1, 1)
    (nudge,) = bot.api.sent[before:]
    text = _text(nudge)
    assert text.startswith("A small next step") and "Sources: [1]" in text
    tip_id = bot.api.buttons(nudge)[0][1].split("|")[2]
    tip = next(t for t in bot.deps.kb.tips if t.id == tip_id)
    assert "principal" in tip.levels and tip.text in text
    assert [d.split("|")[1] for _, d in bot.api.buttons(nudge)] == [
        "done",
        "more",
        "snooze",
        "pause",
    ]
    assert all(len(d.encode()) <= 64 for _, d in bot.api.buttons(nudge))
    assert (await bot.nudger.run_once()).claimed == 0  # claimed once, never again
    profile, _ = await bot.storage.load(USER)
    assert profile.nudges.next_due == MONDAY_9 + timedelta(days=7)


async def _nudged(bot: Harness) -> tuple[dict[str, Any], str]:
    await _opted_in(bot)
    bot.at(MONDAY_9)
    before = len(bot.api.sent)
    await bot.nudger.run_once()
    (nudge,) = bot.api.sent[before:]
    tip_id = bot.api.buttons(nudge)[0][1].split("|")[2]
    return nudge, tip_id


async def test_done_is_recorded_and_counted(bot: Harness) -> None:
    _, tip = await _nudged(bot)
    (reply,) = await bot.press(USER, f"ndg|done|{tip}")
    assert "1 step done this month" in _text(reply)
    bot.at(MONDAY_9 + timedelta(days=7))
    before = len(bot.api.sent)
    await bot.nudger.run_once()
    assert "1 step done this month." in _text(bot.api.sent[before])


async def test_another_tip_is_a_different_one(bot: Harness) -> None:
    nudge, tip = await _nudged(bot)
    (another,) = await bot.press(USER, f"ndg|more|{tip}")
    other = bot.api.buttons(another)[0][1].split("|")[2]
    assert other != tip
    assert _text(another) != _text(nudge)


async def test_snooze_moves_the_next_nudge_a_day(bot: Harness) -> None:
    _, tip = await _nudged(bot)
    (reply,) = await bot.press(USER, f"ndg|snooze|{tip}")
    assert "Snoozed for a day" in _text(reply)
    profile, _ = await bot.storage.load(USER)
    assert profile.nudges.next_due is not None
    assert profile.nudges.next_due - bot.now == timedelta(days=1)


async def test_pause_turns_nudges_off(bot: Harness) -> None:
    _, tip = await _nudged(bot)
    (reply,) = await bot.press(USER, f"ndg|pause|{tip}")
    assert "Nudges paused." in _text(reply) and "/nudges" in _text(reply)
    profile, _ = await bot.storage.load(USER)
    assert profile.nudges.cadence == "off"
    bot.at(MONDAY_9 + timedelta(days=21))
    assert (await bot.nudger.run_once()).claimed == 0


async def test_settings_commands_and_free_text(bot: Harness) -> None:
    (reply,) = await bot.say(USER, "/nudges daily 10:00")
    assert "daily at 10:00 (UTC)" in _text(reply)
    (reply,) = await bot.say(USER, "/timezone Europe/London")
    text = _text(reply)
    assert "Time zone set: Europe/London." in text and "10:00 (Europe/London)" in text
    (reply,) = await bot.say(USER, "/timezone Mars/Base")
    assert "not a time zone I know" in _text(reply)
    (reply,) = await bot.say(USER, "/nudges daily 23:30")
    assert "quiet hours" in _text(reply)
    (reply,) = await bot.say(USER, "/nudges sometimes maybe")
    assert "I didn't understand" in _text(reply) and "/nudges daily [HH:MM]" in _text(reply)
    (reply,) = await bot.say(USER, "/nudges")
    assert [d for _, d in bot.api.buttons(reply)] == ["nud|weekly", "nud|daily", "nud|off"]
    (reply,) = await bot.say(USER, "please stop sending me reminders")
    assert "Nudges are off." in _text(reply)
    (reply,) = await bot.say(USER, "send me weekly tips on fridays")
    assert "weekly on Friday at 10:00 (Europe/London)" in _text(reply)


async def test_blocked_users_get_no_nudges_until_they_write_again(bot: Harness) -> None:
    await _opted_in(bot)
    bot.api.blocked.add(USER)
    bot.at(MONDAY_9)
    outcome = await bot.nudger.run_once()
    assert (outcome.sent, outcome.blocked) == (0, 1)
    assert await bot.storage.is_blocked(USER)
    bot.at(MONDAY_9 + timedelta(days=7))
    assert (await bot.nudger.run_once()).sent == 0
    assert (await bot.storage.load(USER))[0].nudges.next_due is None  # off the schedule
    bot.api.blocked.discard(USER)
    bot.api.rejected.clear()
    await bot.say(USER, "hello again")
    profile, _ = await bot.storage.load(USER)
    assert profile.nudges.next_due is not None and profile.nudges.next_due > bot.now


async def test_flood_control_is_waited_out(bot: Harness) -> None:
    await _opted_in(bot)
    bot.at(MONDAY_9)
    bot.api.flood, bot.api.flood_retry_after = 1, 1
    started = time.monotonic()
    outcome = await bot.nudger.run_once()
    assert outcome.sent == 1 and time.monotonic() - started >= 1.0
    bot.api.rejected.clear()


async def test_an_undelivered_nudge_is_due_again_and_not_counted(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await _opted_in(bot)
    bot.at(MONDAY_9)
    bot.api.network_failures = 100  # the network is down for this round
    outcome = await bot.nudger.run_once()
    bot.api.network_failures = 0
    assert (outcome.failed, outcome.sent) == (1, 0)
    assert any("nudge for user" in r.getMessage() for r in caplog.records)
    profile = (await bot.storage.load(USER))[0]
    assert profile.nudges.next_due == MONDAY_9 and profile.nudges.ignored == 0
    assert (await bot.storage.stats(bot.now)).nudges_total.get("sent", 0) == 0
    bot.tick(1)
    assert (await bot.nudger.run_once()).sent == 1
    profile = (await bot.storage.load(USER))[0]
    assert profile.nudges.next_due == MONDAY_9 + timedelta(days=7)
    assert profile.nudges.ignored == 1


async def test_a_lease_left_by_a_dead_process_is_due_again_once(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    async with Harness(kb, db) as first:
        await _opted_in(first)
        # Leased, then the process dies before sending.
        claimed = await first.nudger.services.leases.claim(MONDAY_9, 10, nudges.on_due, 60)
        assert len(claimed) == 1
        assert await first.nudger.services.leases.claim(MONDAY_9, 10, nudges.on_due, 60) == []
    async with Harness(kb, db) as second:  # a restart ends the dead process's leases
        second.at(MONDAY_9 + timedelta(minutes=5))
        assert (await second.nudger.run_once()).sent == 1
        assert (await second.nudger.run_once()).claimed == 0
        assert len(second.api.sent) == 1


async def test_a_lease_runs_out_by_itself(bot: Harness) -> None:
    await _opted_in(bot)
    leases = bot.nudger.services.leases
    assert len(await leases.claim(MONDAY_9, 10, nudges.on_due, 60)) == 1
    assert await leases.claim(MONDAY_9 + timedelta(seconds=59), 10, nudges.on_due, 60) == []
    assert len(await leases.claim(MONDAY_9 + timedelta(seconds=61), 10, nudges.on_due, 60)) == 1


async def test_a_nudge_cut_off_mid_send_is_never_sent_twice(
    kb: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "bot.sqlite3"
    async with Harness(kb, db) as first:
        await _opted_in(first)
        await first.nudger.services.leases.claim(MONDAY_9, 10, nudges.on_due, 60)
        await first.nudger.services.leases.sending(USER)  # the request left; the process died
    async with Harness(kb, db) as second:
        second.at(MONDAY_9 + timedelta(minutes=5))
        assert (await second.nudger.run_once()).claimed == 0
        assert second.api.sent == []
        profile = (await second.storage.load(USER))[0]
        assert profile.nudges.next_due == MONDAY_9 + timedelta(days=7)
        assert profile.nudges.ignored == 0  # not counted as ignored
    assert any("may or may not have arrived" in r.getMessage() for r in caplog.records)


async def test_stops_after_six_unanswered_with_one_message(bot: Harness) -> None:
    await bot.say(USER, "/level junior")
    await bot.say(USER, "/nudges daily 09:00")
    bot.at(bot.now.replace(hour=9, minute=0) + timedelta(days=1))
    texts = []
    for _ in range(40):
        before = len(bot.api.sent)
        await bot.nudger.run_once()
        texts += [_text(m) for m in bot.api.sent[before:]]
        bot.at(bot.now + timedelta(days=1))
    tips = [t for t in texts if t.startswith("A small next step")]
    assert len(tips) == 6
    assert sum("stop the nudges" in t for t in texts) == 1
    assert "/nudges weekly" in texts[-1]


async def test_forget_deletes_nudge_settings_and_history(bot: Harness) -> None:
    _, tip = await _nudged(bot)
    await bot.press(USER, f"ndg|done|{tip}")
    (profile_reply,) = await bot.say(USER, "/profile")
    assert "Nudges: weekly on Monday at 09:00 (UTC)" in _text(profile_reply)
    await bot.press(USER, "fgt|yes")
    db = bot.storage._db
    for table in ("nudge_settings", "nudge_events", "tips_seen", "users"):
        rows = await db.execute_fetchall(f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", (USER,))
        assert next(iter(rows))[0] == 0, table
    bot.at(MONDAY_9 + timedelta(days=7))
    assert (await bot.nudger.run_once()).claimed == 0


async def test_stats_show_nudge_outcomes(bot: Harness) -> None:
    _, tip = await _nudged(bot)
    await bot.press(USER, f"ndg|done|{tip}")
    await bot.press(USER, f"ndg|snooze|{tip}")
    (stats,) = await bot.say(7, "/stats")
    text = _text(stats)
    assert "sent: 1 / 1" in text and "done: 1 / 1" in text and "snoozed: 1 / 1" in text


async def test_many_due_users_are_claimed_in_batches(bot: Harness) -> None:
    for user in range(1, 121):
        await _opted_in(bot, user)
    bot.at(MONDAY_9)
    outcome = await bot.nudger.run_once()
    assert outcome.sent == 120
    assert len({m["chat_id"] for m in bot.api.sent if _text(m).startswith("A small")}) == 120


async def test_interactive_replies_go_before_waiting_nudges() -> None:
    limiter = PriorityRateLimiter(rate=20.0, chat_rate=100.0)
    finished: list[str] = []

    async def send(name: str) -> bool:
        finished.append(name)
        return True

    async def request(name: str, chat: int, priority: int | None) -> None:
        await limiter.process_request(send, (name,), {}, "sendMessage", {"chat_id": chat}, priority)

    background = [asyncio.create_task(request(f"n{i}", i, BACKGROUND)) for i in range(60)]
    await asyncio.sleep(0.3)
    already_out = len(finished)
    started = time.monotonic()
    await request("reply", 9999, None)
    waited = time.monotonic() - started
    await asyncio.gather(*background)
    assert 0 < already_out < 60
    assert waited < 0.2  # one token interval (0.05 s) plus scheduling, not 30 nudges' worth
    assert finished.index("reply") <= already_out + 1  # ahead of every nudge still waiting
    await limiter.shutdown()


async def test_pacing_keeps_to_the_overall_and_per_chat_rates() -> None:
    limiter = PriorityRateLimiter(rate=50.0, chat_rate=2.0, chat_burst=1.0)
    stamps: dict[int, list[float]] = {}

    async def send(chat: int) -> bool:
        stamps.setdefault(chat, []).append(time.monotonic())
        return True

    started = time.monotonic()
    await asyncio.gather(*(
        limiter.process_request(send, (c,), {}, "sendMessage", {"chat_id": c}, BACKGROUND)
        for c in [1, 1, 1, *list(range(100, 150))]
    ))  # fmt: skip
    elapsed = time.monotonic() - started
    assert elapsed >= (53 - 50) / 50  # the overall bucket holds at most a second's worth
    one = stamps[1]
    assert all(b - a >= 0.45 for a, b in itertools.pairwise(one))  # 2 per second
    await limiter.shutdown()


def test_careerbot_run_sends_exactly_one_nudge_after_a_two_day_outage(tmp_path: Path) -> None:
    """Opted in daily at 09:00, last nudge Monday; the bot comes back Wednesday 10:00."""
    db = tmp_path / "bot.sqlite3"
    opt_in = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--json", "--db", str(db), "--user", str(USER)],
        input="I'm a senior ML engineer\nremind me every day at 09:00\n",
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert opt_in.returncode == 0, opt_in.stderr
    monday_nudge = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE nudge_settings SET last_sent = ?, next_due = ? WHERE user_id = ?",
            (int(monday_nudge.timestamp()), int((monday_nudge + timedelta(days=1)).timestamp()),
             USER),
        )  # fmt: skip
    api = FakeTelegram()
    with FakeServer(api) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "CAREERBOT_"))}
        env.update({
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
            "CAREERBOT_DB": str(db), "CAREERBOT_FAKE_NOW": "2026-03-11T10:00:00Z",
        })  # fmt: skip
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while not api.sent and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(2.0)  # time for a burst, if there were one
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=20) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
        _, err = proc.communicate()
    nudges_sent = [m for m in api.sent if m["chat_id"] == USER]
    assert len(nudges_sent) == 1, err
    assert tghtml.parse(nudges_sent[0]["text"]).startswith("A small next step")
    with sqlite3.connect(db) as conn:
        (next_due,) = conn.execute(
            "SELECT next_due FROM nudge_settings WHERE user_id = ?", (USER,)
        ).fetchone()
    assert datetime.fromtimestamp(next_due, UTC) == datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
