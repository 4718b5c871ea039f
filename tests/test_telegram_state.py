"""State safety in Telegram: confirmations and undo are buttons, forwarded words change nothing
(the real Application against the fake Bot API)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.knowledge.model import KnowledgeBase
from tests import tghtml
from tests.tg_harness import Harness

USER = 7070


@pytest.fixture
async def bot(kb: KnowledgeBase, tmp_path: Path) -> AsyncIterator[Harness]:
    async with Harness(kb, tmp_path / "bot.sqlite3") as harness:
        yield harness


def _text(message: dict[str, Any]) -> str:
    return tghtml.parse(message["text"])


def _button(bot: Harness, message: dict[str, Any], label: str) -> str:
    found = [data for text, data in bot.api.buttons(message) if text == label]
    assert found, bot.api.buttons(message)
    return found[0]


async def test_deleting_everything_is_confirmed_with_a_button(bot: Harness) -> None:
    await bot.say(USER, "I'm a senior MLE in London")
    (asked,) = await bot.say(USER, "clear")
    assert "Delete everything I store about you?" in _text(asked)
    assert await bot.storage.known(USER)
    await bot.press(USER, _button(bot, asked, "Yes, delete everything"))
    assert not await bot.storage.known(USER)


async def test_a_stale_yes_button_deletes_nothing(bot: Harness) -> None:
    await bot.say(USER, "I'm a senior MLE")
    (asked,) = await bot.say(USER, "forget me")
    await bot.say(USER, "what skills for staff?")  # any other message cancels the request
    await bot.press(USER, _button(bot, asked, "Yes, delete everything"))
    assert (await bot.storage.load(USER))[0].level == "senior"


async def test_a_change_is_echoed_with_an_undo_button(bot: Harness) -> None:
    await bot.say(USER, "I've been a senior MLE since 2021")
    before = (await bot.storage.load(USER))[0]
    (saved,) = await bot.say(USER, "I'm staff now")
    assert "Level: senior ML engineer → staff ML engineer" in _text(saved)
    (undone,) = await bot.press(USER, _button(bot, saved, "Undo"))
    assert "Undone" in _text(undone)
    assert (await bot.storage.load(USER))[0] == before


async def test_forwarded_words_and_commands_change_nothing(bot: Harness) -> None:
    await bot.say(USER, "I'm a senior MLE")
    said = "I'm a staff ML engineer with 12 years of experience"
    await bot.deliver(bot.api.message_update(USER, said, forwarded_from=99))
    await bot.deliver(bot.api.message_update(USER, "/level principal", forwarded_from=99))
    await bot.deliver(bot.api.message_update(USER, "forget me", forwarded_from=99))
    await bot.deliver(bot.api.message_update(USER, "yes", forwarded_from=99))
    assert (await bot.storage.load(USER))[0].level == "senior"


async def test_a_title_is_asked_about_with_a_button_per_level(bot: Harness) -> None:
    (asked,) = await bot.say(USER, "I'm the ml lead on my team")
    assert "means different levels" in _text(asked)
    assert (await bot.storage.load(USER))[0].level is None
    await bot.press(USER, _button(bot, asked, "Staff"))
    assert (await bot.storage.load(USER))[0].level == "staff"
