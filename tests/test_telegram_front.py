"""Issue 14 in Telegram, through the real Application and the fake Bot API: the pay chart,
personal suggestions, small talk, the zone /nudges shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.knowledge.model import KnowledgeBase
from tests import tghtml
from tests.tg_harness import Harness

USER = 7141


@pytest.fixture
async def bot(kb: KnowledgeBase, tmp_path: Path) -> Any:
    async with Harness(kb, tmp_path / "bot.sqlite3") as harness:
        yield harness
        assert harness.api.rejected == [], "Telegram would have rejected a reply"


def _text(message: dict[str, Any]) -> str:
    return tghtml.parse(message["text"])


async def test_a_pay_answer_opens_with_the_range_and_its_chart_button_sends_a_picture(
    bot: Harness,
) -> None:
    (answer,) = await bot.say(USER, "what does a senior MLE make in London?")
    lines = _text(answer).splitlines()
    assert lines[0] == "Senior ML engineer pay in United Kingdom: £90k–£170k (one source, two " \
        "figures)"  # fmt: skip
    assert lines[-1].startswith("Sources: [1] Resume-builder guide") and len(lines[-1]) < 60
    buttons = dict(bot.api.buttons(answer))
    assert buttons["Chart"] == "chart|senior|uk"
    assert await bot.press(USER, "chart|senior|uk") == []  # a photo, not a message
    (photo,) = bot.api.photos
    assert photo["content"].startswith(b"\x89PNG") and photo["filename"] == "pay-senior-uk.png"
    assert 600 <= photo["width"] <= 1200
    assert photo["caption"].startswith("Senior ML engineer pay in United Kingdom: one bar per "
                                       "source (GBP)")  # fmt: skip
    # Drawn once: the same chart again comes from the cache.
    await bot.press(USER, "chart|senior|uk")
    assert len(bot.api.photos) == 2 and bot.deps.shows.charts.drawn == 1


async def test_no_chart_button_where_no_source_has_a_figure(bot: Harness) -> None:
    (answer,) = await bot.say(USER, "what does a staff MLE make in Toronto?")
    lines = _text(answer).splitlines()
    assert lines[0] == "Staff ML engineer pay in Canada: no source has a figure"
    assert "chart|" not in " ".join(d for _, d in bot.api.buttons(answer))


async def test_chart_command_defaults_to_the_users_level_and_market(bot: Harness) -> None:
    await bot.say(USER, "I'm a junior ML engineer in Sydney")
    assert await bot.say(USER, "/chart") == []
    (photo,) = bot.api.photos
    assert photo["filename"] == "pay-junior-australia.png" and "(AUD)" in photo["caption"]
    (nothing,) = await bot.say(USER, "/chart staff canada")
    assert _text(nothing).startswith("No chart: no source has a figure for a staff ML engineer")


async def test_nudges_show_the_zone_that_is_set(bot: Harness) -> None:
    (before,) = await bot.say(USER, "/nudges")
    assert "UTC until you set one" in _text(before)
    await bot.say(USER, "/timezone Europe/Berlin")
    (after,) = await bot.say(USER, "/nudges")
    assert "Europe/Berlin" in _text(after) and "UTC until" not in _text(after)


async def test_a_question_button_never_offered_is_refused(bot: Harness) -> None:
    for data in ("q|small_talk|||", "q|undo|||", "q|forget|||", "chart|senior|mars",
                 "pl|nothing|done", "plp|nowhere|1"):  # fmt: skip
        assert await bot.press(USER, data) == []
        assert "no longer valid" in bot.api.callback_answers[-1]["text"]
    assert (await bot.storage.load(USER))[0].level is None
