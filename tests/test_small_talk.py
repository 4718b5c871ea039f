"""Small talk: thanks, goodbyes and "ok" get one line, and the conversation goes on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.advisor import Advisor
from tests.conftest import NOW


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("thx", "You're welcome! Ask me anything else whenever you like."),
        ("thanks!", "You're welcome! Ask me anything else whenever you like."),
        ("ty, bye", "You're welcome, and good luck! I'm here whenever you need me."),
        ("bye", "Bye, and good luck! I'm here whenever you need me."),
        ("ok", "Good. Ask me anything else whenever you like."),
        ("okay", "Good. Ask me anything else whenever you like."),
        ("sounds good", "Good. Ask me anything else whenever you like."),
    ],
)
async def test_small_talk_gets_one_line(advisor: Advisor, text: str, line: str) -> None:
    reply = await advisor.ask(1, text, NOW)
    assert reply.intent == "small_talk"
    assert advisor.plain(reply.answer) == line
    assert reply.answer.suggestions == () and reply.answer.choices == ()


async def test_a_hello_is_still_the_greeting(advisor: Advisor) -> None:
    reply = await advisor.ask(1, "hi there", NOW)
    assert reply.intent == "greeting" and len(advisor.plain(reply.answer).splitlines()) > 3


async def test_the_conversation_goes_on_after_small_talk(advisor: Advisor) -> None:
    await advisor.ask(3, "what skills for a staff mle?", NOW)
    await advisor.ask(3, "thx", NOW + timedelta(minutes=1))
    reply = await advisor.ask(3, "and salary?", NOW + timedelta(minutes=2))
    assert (reply.intent, reply.query.level) == ("salary", "staff")


async def test_small_talk_cancels_a_pending_deletion_and_says_so(advisor: Advisor) -> None:
    await advisor.ask(4, "I'm a senior ML engineer", NOW)
    await advisor.ask(4, "forget everything about me", NOW + timedelta(minutes=1))
    reply = await advisor.ask(4, "thanks", NOW + timedelta(minutes=2))
    assert reply.intent == "small_talk"
    assert "Cancelled: nothing was deleted." in advisor.plain(reply.answer)
    assert (await advisor.profile(4)).level == "senior"
