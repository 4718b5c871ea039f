"""Saying so when a question was read with little evidence.

A long message clearly about careers is answered even when no intent matches it as well as
`threshold` asks of a short one (knowledge/policy.yaml, weak_match): better a likely answer
than none. Such readings are right about half the time (knowledge answers to real-tuning-2's
messages, first turns: 56% right for long ones below `threshold`, 66% for the rest; the team's
dev sets: 38% and 97%, and 2% of their answers are flagged), so the answer says what it took the
question for and points to the other readings offered with it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.answering.answer import Answer
from bot.answering.answers import Answers
from bot.domain import Query
from bot.reply import with_note
from bot.understanding.decision import Decision


def flagged(
    answers: Answers, asked: Query, answer: Answer, decision: Decision | None,
    words: Sequence[str],
) -> Answer:  # fmt: skip
    """`answer` with a note that it may have misread the question, when a long message (`words`,
    its content words: `long_message` or more) was read below `threshold`; other answers, short
    follow-ups the thread settles ("and in toronto?") and pressed buttons (no decision) are
    unchanged."""
    kb = answers.kb
    if decision is None or decision.clarify or decision.confidence >= kb.settings.threshold:
        return answer
    if len(words) < kb.settings.long_message:
        return answer
    spec = kb.intents.get(asked.intent)
    if spec is None or not spec.answer.from_knowledge or not spec.name:
        return answer
    text = (
        f"I may have misread this: I took it as a question about {spec.name}. If you meant "
        "something else, try a suggestion or put it another way."
    )
    return with_note(answer, text, first=False)
