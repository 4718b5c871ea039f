"""Plans and the level translator in Telegram, through the real Application and the fake API."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.knowledge.model import KnowledgeBase
from tests import tghtml
from tests.tg_harness import Harness

USER = 5151


@pytest.fixture
async def bot(kb: KnowledgeBase, tmp_path: Path) -> Any:
    async with Harness(kb, tmp_path / "bot.sqlite3") as harness:
        yield harness
        assert harness.api.rejected == [], "Telegram would have rejected a reply"


def _text(message: dict[str, Any]) -> str:
    return tghtml.parse(message["text"])


async def test_plan_command_shows_the_checklist_with_buttons(bot: Harness) -> None:
    await bot.say(USER, "/level mid")
    (plan,) = await bot.say(USER, "/plan")
    assert _text(plan).startswith("Your plan: mid → senior")
    buttons = bot.api.buttons(plan)
    assert len(buttons) == 15  # five open items, three buttons each
    assert all(len(data.encode()) <= 64 for _, data in buttons)
    first_item = buttons[0][1].split("|")[1]
    assert await bot.press(USER, f"pl|{first_item}|done") == []  # the plan message is edited
    (edit,) = bot.api.edits
    assert "1 of 14 done" in _text(edit)
    assert first_item not in [d.split("|")[1] for _, d in bot.api.buttons(edit)]
    await bot.press(USER, f"pl|{buttons[3][1].split('|')[1]}|skip")
    assert "1 of 13 done" in _text(bot.api.edits[-1])
    assert await bot.storage.plan_statuses(USER) == {
        first_item: "done", buttons[3][1].split("|")[1]: "skip"
    }  # fmt: skip


async def test_plan_export_sends_a_markdown_document(bot: Harness) -> None:
    await bot.say(USER, "/level senior")
    await bot.say(USER, "I gave a conference talk and I have a sponsor now")
    (message,) = await bot.say(USER, "/plan export")
    assert "plan-senior-to-staff.md" in _text(message)
    (document,) = bot.api.documents
    assert document["filename"] == "plan-senior-to-staff.md"
    content = document["content"].decode()
    assert content.startswith("# Plan: senior → staff")
    assert "- [x] " in content
    (bad,) = await bot.say(USER, "/plan everything")
    assert "/plan export" in _text(bad)


async def test_free_text_ticks_items_and_asks_about_vague_ones(bot: Harness) -> None:
    await bot.say(USER, "I'm a junior ML engineer")
    (reply,) = await bot.say(USER, "I already know PyTorch and Docker")
    text = _text(reply)
    assert "Ticked: A deep-learning framework in depth; Basic MLOps" in text
    assert "2 of 14 done" in text
    (vague,) = await bot.say(USER, "I'm good with feature stuff and tracking")
    assert "which one?" in _text(vague)
    candidates = [d.split("|")[1] for _, d in bot.api.buttons(vague)]
    assert "jm-features-tuning" in candidates and "jm-tracking" in candidates


async def test_promotion_is_congratulated_and_the_old_plan_archived(bot: Harness) -> None:
    await bot.say(USER, "/level mid")
    await bot.say(USER, "I mentor two juniors now")
    (congrats,) = await bot.say(USER, "/level senior")
    text = _text(congrats)
    assert text.startswith("Congratulations on becoming a senior ML engineer!")
    assert "mid → senior plan is archived: 1 of 14 done" in text
    (profile,) = await bot.say(USER, "/profile")
    text = _text(profile)
    assert "Plan senior → staff: 0 of 13 done" in text
    assert "Archived plan mid → senior" in text and "Time at level: " in text


async def test_nudges_carry_open_plan_items_first(bot: Harness) -> None:
    await bot.say(USER, "/level mid")
    await bot.say(USER, "/nudges daily 09:00")
    bot.at(bot.now.replace(hour=9, minute=0) + timedelta(days=1))
    before = len(bot.api.sent)
    await bot.nudger.run_once()
    (nudge,) = bot.api.sent[before:]
    assert _text(nudge).startswith("A small next step from your plan")
    item = bot.api.buttons(nudge)[0][1].split("|")[2]
    assert item.startswith("ms-")
    await bot.press(USER, f"ndg|done|{item}")
    assert (await bot.storage.plan_statuses(USER))[item] == "done"
    bot.at(bot.now + timedelta(days=1))
    before = len(bot.api.sent)
    await bot.nudger.run_once()
    (second,) = bot.api.sent[before:]
    assert bot.api.buttons(second)[0][1].split("|")[2] != item  # a done item never again


async def test_level_translator_in_telegram(bot: Harness) -> None:
    (reply,) = await bot.say(USER, "I'm an E5 at Meta")
    text = _text(reply)
    assert text.startswith("Meta E5 ≈ senior here")
    assert "Google: L5 (Senior SWE)" in text
    (profile,) = await bot.say(USER, "/profile")
    assert "Level: senior ML engineer" in _text(profile)
