"""Nudge scheduling with time as a parameter: cadences, zones and DST, quiet hours, catch-up,
slowing down and stopping, tips, and requests in words."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.coaching import nudges
from bot.coaching.nudges import Request, ScheduleError
from bot.domain import NudgeState
from bot.knowledge.model import KnowledgeBase, Tip

MONDAY = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday, noon UTC


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daily_and_weekly_slots_in_utc() -> None:
    daily = NudgeState(cadence="daily", hour=9)
    assert nudges.next_slot(daily, MONDAY) == utc(2026, 3, 3, 9, 0)
    assert nudges.next_slot(daily, utc(2026, 3, 2, 8, 0)) == utc(2026, 3, 2, 9, 0)
    weekly = NudgeState(cadence="weekly", weekday=4, hour=18, minute=30)
    assert nudges.next_slot(weekly, MONDAY) == utc(2026, 3, 6, 18, 30)
    assert nudges.next_slot(NudgeState(cadence="off"), MONDAY) is None


def test_local_time_is_kept_across_a_dst_change() -> None:
    london = NudgeState(cadence="weekly", weekday=0, hour=9, tz="Europe/London")
    before = nudges.next_slot(london, utc(2026, 3, 24, 12, 0))  # Mon 30 Mar, after BST starts
    assert before == utc(2026, 3, 30, 8, 0)  # 09:00 BST is 08:00 UTC
    previous = nudges.next_slot(london, utc(2026, 3, 17, 12, 0))  # Mon 23 Mar, still GMT
    assert previous == utc(2026, 3, 23, 9, 0)
    for moment in (before, previous):
        assert moment and moment.astimezone(ZoneInfo("Europe/London")).hour == 9
    new_york = NudgeState(cadence="daily", hour=8, tz="America/New_York")
    autumn = nudges.next_slot(new_york, utc(2026, 10, 31, 20, 0))  # DST ends Sun 1 Nov
    assert autumn == utc(2026, 11, 1, 13, 0)  # 08:00 EST


def test_at_most_one_nudge_a_day() -> None:
    state = NudgeState(cadence="daily", hour=9, last_sent=utc(2026, 3, 2, 9, 0))
    assert nudges.next_slot(state, utc(2026, 3, 2, 9, 30)) == utc(2026, 3, 3, 9, 0)
    due = nudges.on_due(replace(state, hour=15), utc(2026, 3, 2, 15, 0))
    assert due.action == "defer" and due.state.next_due == utc(2026, 3, 3, 15, 0)


@pytest.mark.parametrize(
    ("now", "deferred_to"),
    [
        (utc(2026, 3, 2, 22, 30), utc(2026, 3, 3, 8, 0)),  # late evening: next morning
        (utc(2026, 3, 3, 6, 0), utc(2026, 3, 3, 8, 0)),  # early morning: this morning
    ],
)
def test_never_in_quiet_hours(now: datetime, deferred_to: datetime) -> None:
    state = NudgeState(cadence="daily", hour=9, next_due=utc(2026, 3, 2, 9, 0))
    due = nudges.on_due(state, now)
    assert due.action == "defer"
    assert due.state.next_due == deferred_to
    assert nudges.on_due(due.state, deferred_to).action == "tip"


def test_quiet_hours_are_local_time() -> None:
    tokyo = NudgeState(cadence="daily", hour=9, tz="Asia/Tokyo")
    # 13:00 UTC is 22:00 in Tokyo: wait for 08:00 there (23:00 UTC).
    due = nudges.on_due(tokyo, utc(2026, 3, 2, 13, 0))
    assert due.action == "defer" and due.state.next_due == utc(2026, 3, 2, 23, 0)


def test_one_catch_up_nudge_after_downtime_never_a_burst() -> None:
    state = NudgeState(cadence="daily", hour=9, next_due=utc(2026, 3, 1, 9, 0),
                       last_sent=utc(2026, 2, 28, 9, 0))  # fmt: skip
    now = utc(2026, 3, 3, 10, 0)  # down for two days: three slots missed
    due = nudges.on_due(state, now)
    assert due.action == "tip"
    assert due.state.next_due == utc(2026, 3, 4, 9, 0)
    assert due.state.next_due > now  # nothing else is due: the missed ones are not replayed


def test_slows_down_after_three_unanswered_and_stops_after_six() -> None:
    state = NudgeState(cadence="daily", hour=9, next_due=utc(2026, 3, 2, 9, 0))
    now = utc(2026, 3, 2, 9, 0)
    sent_days = []
    for _ in range(12):
        due = nudges.on_due(state, now)
        state = due.state
        if due.action == "stop":
            break
        assert due.action == "tip"
        sent_days.append(now.day)
        assert state.next_due is not None
        now = state.next_due
    assert len(sent_days) == 6
    gaps = [b - a for a, b in itertools.pairwise(sent_days)]
    assert gaps[:2] == [1, 1] and all(g == 3 for g in gaps[2:])  # slower after three
    assert state.stopped and state.next_due is None
    assert nudges.describe(state).startswith("stopped")
    weekly = NudgeState(cadence="weekly", ignored=3)
    assert nudges.interval_days(weekly) == 14


def test_a_reaction_resets_the_count() -> None:
    state = NudgeState(cadence="daily", ignored=5)
    assert nudges.reacted(state).ignored == 0
    assert nudges.interval_days(nudges.reacted(replace(state, ignored=4))) == 1


def test_snooze_moves_a_day_and_stays_out_of_quiet_hours() -> None:
    state = NudgeState(cadence="weekly", ignored=2)
    assert nudges.snooze(state, utc(2026, 3, 2, 10, 0)).next_due == utc(2026, 3, 3, 10, 0)
    late = nudges.snooze(state, utc(2026, 3, 2, 21, 30))
    assert late.next_due == utc(2026, 3, 4, 8, 0) and late.ignored == 0


def _tips(n: int) -> list[Tip]:
    return [Tip(f"t{i}", ("mid",), f"tip {i}", ("s",)) for i in range(n)]


def test_no_tip_twice_until_all_were_seen() -> None:
    tips = [*_tips(3), Tip("senior-only", ("senior",), "x", ("s",))]
    seen: set[str] = set()
    order = []
    for _ in range(3):
        tip, restarted = nudges.pick_tip(tips, "mid", seen)
        assert not restarted
        order.append(tip.id)
        seen.add(tip.id)
    assert order == ["t0", "t1", "t2"]
    tip, restarted = nudges.pick_tip(tips, "mid", seen)
    assert restarted and tip.id == "t0"


def test_the_knowledge_base_has_many_sourced_tips_per_level(kb: KnowledgeBase) -> None:
    for level in kb.levels:
        tips = [t for t in kb.tips if level in t.levels]
        assert len(tips) >= 10, level
        assert all(t.based_on for t in tips)
    assert len({t.id for t in kb.tips}) == len(kb.tips)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weekly fri 18:30", Request("weekly", 4, 18, 30)),
        ("daily 7pm", Request("daily", None, 19, 0)),
        ("remind me every day", Request("daily")),
        ("send me weekly tips", Request("weekly")),
        ("stop sending me reminders", Request("off")),
        ("pause the nudges", Request("off")),
        ("off", Request("off")),
        ("on mondays at 9", Request("weekly", 0, 9, 0)),
        ("less often please", Request("weekly")),
        ("every wednesday morning", Request("weekly", 2, 9, 0)),
        ("reminder settings", Request()),
        ("send me 3 tips", Request()),
    ],
)
def test_requests_in_words(text: str, expected: Request) -> None:
    assert nudges.parse_request(text) == expected


@pytest.mark.parametrize("text", ["daily 25:00", "weekly at 9:75"])
def test_impossible_times_are_explained(text: str) -> None:
    with pytest.raises(ScheduleError, match="not a time of day"):
        nudges.parse_request(text)


def test_apply_defaults_validates_and_schedules() -> None:
    on = nudges.apply(NudgeState(), Request(), MONDAY)
    assert (on.cadence, on.weekday, on.hour, on.minute) == ("weekly", 0, 9, 0)  # the default
    assert on.next_due == utc(2026, 3, 9, 9, 0)
    with pytest.raises(ScheduleError, match="quiet hours"):
        nudges.apply(on, Request("daily", None, 22, 0), MONDAY)
    restarted = nudges.apply(replace(on, stopped=True, ignored=6), Request("daily"), MONDAY)
    assert restarted.active and restarted.ignored == 0


def test_time_zones_are_validated() -> None:
    assert nudges.zone("europe/london") == "Europe/London"
    assert nudges.zone("UTC") == "UTC"
    with pytest.raises(ScheduleError, match="IANA name"):
        nudges.zone("Mars/Olympus_Mons")
    state = NudgeState(cadence="daily", hour=9, tz="Europe/London")
    slot = nudges.next_slot(state, MONDAY)
    assert slot is not None and nudges.local_time(slot, state.tz) == "Tuesday 03 Mar, 09:00"
    assert slot - MONDAY < timedelta(days=1)
