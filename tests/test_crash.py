"""Crash safety of the real `careerbot run` process: SIGKILL at random moments during a burst
and during a nudge round, then a restart; every update answered once, every nudge sent once.
benchmarks/crash.py runs the same drills with more kills and reports the figures."""

from __future__ import annotations

from pathlib import Path

from tests.crash import burst, nudge_round


def test_kill_9_during_a_burst_loses_and_repeats_nothing(tmp_path: Path) -> None:
    drill = burst(tmp_path, updates=120, users=40, kills=2)
    assert drill.duplicated == 0
    # A reply cut off between "being sent" and Telegram's answer is never sent again; it is
    # logged. Only such a reply may be missing.
    assert drill.lost <= drill.unknown_logged, (drill.lost, drill.unknown_logged)
    assert drill.integrity == "ok"
    assert drill.exit_codes == [0] and drill.stop_seconds[0] < 5


def test_kill_9_during_a_nudge_round_sends_each_nudge_once(tmp_path: Path) -> None:
    drill = nudge_round(tmp_path, users=80, kills=2)
    assert drill.duplicated == 0
    assert drill.lost <= drill.unknown_logged, (drill.lost, drill.unknown_logged)
    assert drill.integrity == "ok"
    assert drill.exit_codes == [0] and drill.stop_seconds[0] < 5
