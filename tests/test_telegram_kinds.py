"""Telegram as it really behaves (issue 12): every update kind, errors that belong to a chat,
harmless edit errors, who is speaking, where to answer, text echoed back; through the real
Application against the strict fake Bot API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.knowledge.model import KnowledgeBase
from tests import tghtml
from tests.fake_telegram import ANONYMOUS_ADMIN
from tests.tg_harness import Harness

USER = 6060
GROUP = -1001234


@pytest.fixture
async def bot(kb: KnowledgeBase, tmp_path: Path) -> Any:
    async with Harness(kb, tmp_path / "bot.sqlite3") as harness:
        yield harness


def _visible(message: dict[str, Any]) -> str:
    return tghtml.parse(message["text"]) if message.get("parse_mode") == "HTML" else message["text"]


async def _blocked(bot: Harness, user: int) -> bool:
    return await bot.storage.is_blocked(user)


# -- update kinds ----------------------------------------------------------------------------------


async def test_a_caption_is_text(bot: Harness) -> None:
    (reply,) = await bot.deliver(bot.api.media_update(USER, "photo", "what skills for senior?"))
    assert "Skills for a senior" in _visible(reply)


@pytest.mark.parametrize(
    "kind", ["sticker", "photo", "voice", "document", "location", "contact", "poll"]
)
async def test_other_kinds_are_told_what_the_bot_reads(bot: Harness, kind: str) -> None:
    (reply,) = await bot.deliver(bot.api.media_update(USER, kind))
    assert "I can only read text" in _visible(reply)


async def test_in_a_group_only_what_is_addressed_to_the_bot_is_answered(bot: Harness) -> None:
    api = bot.api
    assert await bot.deliver(api.media_update(USER, "sticker", chat_id=GROUP)) == []
    assert await bot.deliver(api.media_update(USER, "photo", "skills?", chat_id=GROUP)) == []
    (reply,) = await bot.deliver(
        api.media_update(USER, "photo", "@career_test_bot what skills for senior?", GROUP)
    )
    assert "Skills for a senior" in _visible(reply)


async def test_the_chat_state_updates_keep_the_blocked_mark_in_step(bot: Harness) -> None:
    await bot.deliver(bot.api.message_update(USER, "/start"))
    assert await bot.deliver(bot.api.my_chat_member_update(USER, "kicked")) == []
    assert await _blocked(bot, USER)
    await bot.deliver(bot.api.my_chat_member_update(USER, "member"))
    assert not await _blocked(bot, USER)


# -- errors that belong to a chat ------------------------------------------------------------------


async def test_a_kick_from_a_group_does_not_mark_the_user(bot: Harness) -> None:
    await bot.deliver(bot.api.message_update(USER, "/start"))
    bot.api.kicked.add(GROUP)
    sent = await bot.deliver(
        bot.api.message_update(USER, "@career_test_bot what skills?", GROUP, "supergroup")
    )
    assert sent == []
    assert not await _blocked(bot, USER)
    assert bot.api.rejected[-1][1] == "Forbidden: bot was kicked from the supergroup chat"


async def test_a_private_chat_that_is_gone_marks_the_user(bot: Harness) -> None:
    await bot.deliver(bot.api.message_update(USER, "/start"))
    bot.api.missing.add(USER)
    assert await bot.deliver(bot.api.message_update(USER, "what skills for senior?")) == []
    assert await _blocked(bot, USER)


async def test_a_group_that_became_a_supergroup_is_answered_at_its_new_id(bot: Harness) -> None:
    new_id = -1009999
    bot.api.migrated[GROUP] = new_id
    (reply,) = await bot.deliver(
        bot.api.message_update(USER, "@career_test_bot what skills for senior?", GROUP, "group")
    )
    assert reply["chat_id"] == new_id and "Skills for a senior" in _visible(reply)


# -- harmless edit errors --------------------------------------------------------------------------


async def test_a_button_pressed_while_the_bot_was_down_is_still_carried_out(bot: Harness) -> None:
    press = bot.api.button_update(USER, "lvl|senior")
    bot.api.expire_callbacks()  # too old to answer by the time it is processed
    sent = await bot.deliver(press)
    assert "you're a senior ML engineer" in _visible(sent[0])
    assert (await bot.storage.load(USER))[0].level == "senior"


async def test_the_same_plan_button_twice_is_no_error(bot: Harness) -> None:
    await bot.deliver(bot.api.message_update(USER, "I'm a mid-level ML engineer"))
    (plan,) = await bot.deliver(bot.api.message_update(USER, "/plan"))
    data = next(d for _, d in bot.api.buttons(plan) if d.startswith("pl|"))
    assert await bot.deliver(bot.api.button_update(USER, data)) == []  # edited in place
    assert await bot.deliver(bot.api.button_update(USER, data)) == []  # not modified: fine
    assert len(bot.api.edits) == 1
    assert all("something went wrong" not in _visible(m) for m in bot.api.sent)


async def test_a_plan_button_on_a_deleted_message_answers_anew(bot: Harness) -> None:
    await bot.deliver(bot.api.message_update(USER, "I'm a mid-level ML engineer"))
    (plan,) = await bot.deliver(bot.api.message_update(USER, "/plan"))
    data = next(d for _, d in bot.api.buttons(plan) if d.startswith("pl|"))
    press = bot.api.button_update(USER, data)
    press["callback_query"]["message"]["message_id"] = 424242  # deleted meanwhile
    (anew,) = await bot.deliver(press)
    assert "done" in _visible(anew).lower()
    assert data.split("|")[1] in await bot.storage.plan_statuses(USER)


async def test_buttons_this_bot_did_not_make_are_refused(bot: Harness) -> None:
    for data in ("lvl|wizard", "zzz|1", "q|no_such_intent|||", "ndg|done|no-such-tip"):
        assert await bot.deliver(bot.api.button_update(USER, data)) == []
        assert "no longer valid" in bot.api.callback_answers[-1]["text"]


# -- who is speaking, and where to answer ----------------------------------------------------------


async def test_anonymous_admins_of_two_groups_share_nothing(bot: Harness) -> None:
    a, b = -1001, -1002
    (refused,) = await bot.deliver(bot.api.message_update(
        USER, "/level senior", a, "supergroup", anonymous_admin=True))  # fmt: skip
    assert "can't tell which admin" in _visible(refused)
    for who in (ANONYMOUS_ADMIN, a, b):
        assert (await bot.storage.load(who))[0].level is None
    (profile,) = await bot.deliver(bot.api.message_update(
        USER, "/profile", b, "supergroup", anonymous_admin=True))  # fmt: skip
    assert "Level: not set" in _visible(profile)


async def test_the_advisor_is_told_who_is_speaking(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, dict[str, bool]]] = []
    advisor = bot.deps.advisor
    assert advisor is not None
    real = advisor.ask

    async def ask(user_id: int, text: str, now: Any, **flags: bool) -> Any:
        seen.append((user_id, flags))
        return await real(user_id, text, now, **flags)

    monkeypatch.setattr(advisor, "ask", ask)
    await bot.deliver(bot.api.message_update(USER, "I'm a staff engineer", forwarded_from=99))
    await bot.deliver(bot.api.message_update(USER, "@career_test_bot what skills?", GROUP,
                                             "supergroup", anonymous_admin=True))  # fmt: skip
    await bot.deliver(bot.api.message_update(USER, "what skills for senior?"))
    assert seen == [
        (USER, {"forwarded": True, "anonymous": False}),
        (GROUP, {"forwarded": False, "anonymous": True}),
        (USER, {"forwarded": False, "anonymous": False}),
    ]


async def test_a_forum_topic_is_answered_in_its_thread(bot: Harness) -> None:
    (reply,) = await bot.deliver(bot.api.message_update(
        USER, "@career_test_bot what skills for senior?", GROUP, thread=7))  # fmt: skip
    assert reply["message_thread_id"] == 7


# -- text shown back -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("/foo<b>&amp;", "I don't know /foo<b>&amp;."),
        ("/level <i>wiz&ard</i>", "I don't know the level “<i>wiz&ard</i>”."),
        ("/market <Narnia>", "I have no figures for “<Narnia>”."),
        ("/plan <x>", "I don't know “/plan <x>”."),
    ],
)
async def test_echoed_text_is_escaped_exactly_once(bot: Harness, text: str, shown: str) -> None:
    sent = await bot.deliver(bot.api.message_update(USER, text))
    assert sent and _visible(sent[0]).startswith(shown)
    assert bot.api.rejected == []
