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


def _rows(message: dict[str, Any]) -> list[list[tuple[str, str]]]:
    """The keyboard as rows of (label, callback data)."""
    markup = message.get("reply_markup") or {}
    return [[(b["text"], b["callback_data"]) for b in row] for row in markup["inline_keyboard"]]


async def test_every_item_of_the_longest_plan_can_be_marked_on_a_phone(
    bot: Harness, kb: KnowledgeBase
) -> None:
    longest = max(kb.plans.values(), key=lambda p: len(p.items))
    assert len(longest.items) == 14
    await bot.say(USER, f"/level {longest.from_level}")
    (plan,) = await bot.say(USER, "/plan")
    assert _text(plan).startswith(f"Your plan: {longest.from_level} → {longest.to_level}")
    rows = _rows(plan)
    # Five items a page: a full-width row with the item's name and status, then its status
    # buttons; then the way to the next page; then the follow-up questions.
    assert len(rows) == 13 and all(d.startswith("q|") for row in rows[11:] for _, d in row)
    for heading, statuses in zip(rows[0:10:2], rows[1:10:2], strict=True):
        ((label, data),) = heading
        assert label.startswith("○ ") and len(label) <= 46 and data.startswith("pli|")
        name = kb.plan_item(data.split("|")[1]).name  # type: ignore[union-attr]
        assert label[2:].rstrip("…") in name
        assert [text for text, _ in statuses] == ["✓ Done", "… In progress", "Not relevant"]
    assert rows[10] == [("Items 6–10 of 14 ›", f"plp|{longest.from_level}|1")]
    assert all(len(d.encode()) <= 64 for row in rows for _, d in row)
    # Tapping an item's name tells how to show it, without a new message.
    first = rows[0][0][1].split("|")[1]
    assert await bot.press(USER, f"pli|{first}") == []
    assert "How to show it" in bot.api.callback_answers[-1]["text"]
    assert bot.api.callback_answers[-1]["show_alert"] in (True, "true")  # stays until read

    # Every item, page by page, marked done with its own button.
    seen: list[str] = []
    page = rows
    while True:
        for heading, statuses in zip(page[0::2], page[1::2], strict=False):
            if len(heading) != 1 or not heading[0][1].startswith("pli|"):
                break
            item = heading[0][1].split("|")[1]
            if item in seen:
                continue
            seen.append(item)
            done = next(d for t, d in statuses if t == "✓ Done")
            assert await bot.press(USER, done) == []  # the plan message is edited in place
            page = _rows(bot.api.edits[-1])
        following = [d for row in page for t, d in row if t.endswith("›")]
        if not following:
            break
        await bot.press(USER, following[0])
        page = _rows(bot.api.edits[-1])
    assert seen == [i.id for i in longest.items]
    assert "14 of 14 done" in _text(bot.api.edits[-1])
    statuses = await bot.storage.plan_statuses(USER)
    assert statuses == dict.fromkeys(seen, "done")
    # A done item offers "To do" back; its heading shows it done.
    assert bot.api.buttons(bot.api.edits[-1])[0][0].startswith("✓ ")
    assert "↺ To do" in [t for t, _ in bot.api.buttons(bot.api.edits[-1])]
    # The previous page is one tap away.
    pages = [t for row in _rows(bot.api.edits[-1]) for t, d in row if d.startswith("plp|")]
    assert pages == ["‹ Items 6–10"]


async def test_a_repeated_status_button_changes_nothing(bot: Harness) -> None:
    await bot.say(USER, "/level mid")
    (plan,) = await bot.say(USER, "/plan")
    done = _rows(plan)[1][0][1]
    await bot.press(USER, done)
    edits = len(bot.api.edits)
    assert await bot.press(USER, done) == []
    assert len(bot.api.edits) == edits  # no "message is not modified" from Telegram
    assert bot.api.callback_answers[-1]["text"].startswith("Already done: ")


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
    (vague,) = await bot.say(USER, "I'm good with the feature stuff")
    assert "which one?" in _text(vague)
    # Only the likely items are asked about, each with its name and its status buttons.
    headings = [d.split("|")[1] for _, d in bot.api.buttons(vague) if d.startswith("pli|")]
    assert 2 <= len(headings) <= 3
    assert "jm-features-tuning" in headings
    marks = {d.split("|")[1] for _, d in bot.api.buttons(vague) if d.startswith("pl|")}
    assert marks == set(headings)


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
