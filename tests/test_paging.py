"""Long answers a phone screen at a time: "More …" shows the rest, the same question asked
again shows what was not shown, and nothing is sent twice in a row."""

from __future__ import annotations

from datetime import timedelta

from bot.advisor import Advisor, Reply
from bot.answering.shaping import MAX_LINES, MORE
from tests.conftest import NOW

LONG = "what should a senior know about ic vs management"


def _lines(advisor: Advisor, reply: Reply) -> list[str]:
    """The answer's lines before its Sources footer and its choices."""
    text = advisor.plain(reply.answer)
    return [ln for ln in text.splitlines() if ln.strip()
            and not ln.startswith(("Sources:", "Next you could ask"))]  # fmt: skip


async def _say(advisor: Advisor, text: str, minutes: float = 0) -> Reply:
    return await advisor.ask(3, text, NOW + timedelta(minutes=minutes))


async def test_a_long_answer_comes_a_screen_at_a_time_and_more_shows_the_rest(
    advisor: Advisor,
) -> None:
    first = await _say(advisor, LONG)
    assert MORE in first.answer.choices
    assert len(_lines(advisor, first)) <= MAX_LINES
    assert {"label": "More …", "text": "more"} in advisor.as_json(first)["choices"]
    second = await _say(advisor, "more", 1)
    assert second.query == first.query  # the thread stays on the question
    assert second.answer.heading.endswith("(continued)")
    assert not set(_lines(advisor, second)[1:]) & set(_lines(advisor, first))
    done = await _say(advisor, "go on", 2)
    assert done.answer.heading == "That's all I have on that"


async def test_the_same_question_again_shows_what_was_not_shown(advisor: Advisor) -> None:
    first = await _say(advisor, LONG)
    again = await _say(advisor, LONG, 1)
    assert advisor.plain(again.answer) != advisor.plain(first.answer)
    assert again.answer.heading.endswith("(continued)")
    # Later, in a new conversation, the answer starts from the top again.
    later = await _say(advisor, LONG, 45)
    assert advisor.plain(later.answer) == advisor.plain(first.answer)


async def test_more_with_nothing_long_before_says_so_and_changes_nothing(
    advisor: Advisor,
) -> None:
    await _say(advisor, "I'm a mid-level ML engineer")
    reply = await _say(advisor, "more", 1)
    assert reply.answer.heading == "Nothing more to show"
    assert (await advisor.storage.load(3))[0].level == "mid"
    short = await _say(advisor, "senior pay in london", 2)
    assert MORE not in short.answer.choices


async def test_more_is_only_the_whole_message(advisor: Advisor) -> None:
    reply = await _say(advisor, "how do I earn more as a senior")
    assert reply.intent == "salary"
