"""Visas, permits and contracts: the bot gives no legal advice, says so and points to the
official sources, whatever the question was read as."""

from __future__ import annotations

from bot.advisor import Advisor
from bot.answering.referrals import LEGAL
from tests.conftest import NOW


async def test_a_legal_matter_is_pointed_to_official_sources(advisor: Advisor) -> None:
    for i, text in enumerate([
        "should my resume say I need visa sponsorship?",  # a resume question
        "do I need a work permit to take an MLE job in Canada?",  # nothing else to answer
        "my H1B depends on this job, how is the market for senior MLEs?",
        "will companies sponsor me if I move from Italy as a senior MLE?",
    ]):  # fmt: skip
        reply = await advisor.ask(60 + i, text, NOW)
        assert reply.answer.note and LEGAL in reply.answer.note, text
        assert "USCIS" in advisor.plain(reply.answer)


async def test_other_questions_carry_no_referral(advisor: Advisor) -> None:
    for i, text in enumerate(["what skills for senior?", "how do I negotiate an offer?",
                              "I'd opt for the staff track, thoughts?"]):  # fmt: skip
        reply = await advisor.ask(70 + i, text, NOW)
        assert LEGAL not in (reply.answer.note or ""), text


async def test_small_talk_is_not_lectured(advisor: Advisor) -> None:
    reply = await advisor.ask(80, "thanks, my visa came through!", NOW)
    assert LEGAL not in (reply.answer.note or "")
