"""Long answers a page at a time: about a phone screen (`shaping.MAX_LINES`), then "More …";
"more" (or the same question again, within the conversation's 30 minutes) shows what has not
been shown yet."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from bot.answering import shaping
from bot.answering.answer import Answer
from bot.domain import Query, ShownPage
from bot.knowledge.model import KnowledgeBase
from bot.reply import Outcome, Reply
from bot.understanding.dialogue import Turn

NOTHING = Answer("Nothing more to show", "Ask me anything: I answer in a few lines at a time.")
ALL_SHOWN = Answer("That's all I have on that", "Ask about something else, or another level.")


def _key(query: Query) -> Query:
    """What identifies an answer: its intent and slots (not the planner's detail words)."""
    return Query(query.intent, query.level, query.from_level, query.market)


class Pager:
    """Cuts knowledge answers into pages, going on from the last page shown (read with the
    user's profile; the page shown is saved with the rest of the turn)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def _pageable(self, query: Query) -> bool:
        """Answers from the knowledge base; replies, plans (paged by their keyboard) and
        actions are short or shaped by their own code."""
        spec = self.kb.intents.get(query.intent)
        return spec is not None and spec.answer.from_knowledge

    def shape(
        self, query: Query, answer: Answer, now: datetime, words: Sequence[str],
        shown: ShownPage | None,
    ) -> tuple[Answer, ShownPage | None]:  # fmt: skip
        """The page of `answer` to show now: the first, or the next one when the same
        question comes again right after `shown` (the same text is never sent twice in a row);
        and the page to remember as shown."""
        if not self._pageable(query):
            return answer, None
        split = shaping.pages(answer)
        if len(split) == 1:
            return answer, None
        last = shown if shown is not None and shown.fresh(now) else None
        again = last is not None and last.query == _key(query) and last.page + 1 < len(split)
        page = last.page + 1 if again and last else 0
        shaped, _ = shaping.page(answer, page, split=split)
        return shaped, ShownPage(_key(query), page, now, tuple(words))

    def more(
        self, turn: Turn, build: Callable[[Query, Sequence[str]], Answer], now: datetime,
        shown: ShownPage | None,
    ) -> Outcome:  # fmt: skip
        """ "more": the next page of the last long answer (`shown`), rebuilt with `build` from
        its query and its question's words."""
        if shown is None or not shown.fresh(now):
            return Outcome(Reply(turn.query, turn.confidence, NOTHING), turn)
        answer = build(shown.query, shown.words)
        kept = replace(turn, query=shown.query)
        split = shaping.pages(answer)
        if shown.page + 1 >= len(split):
            return Outcome(Reply(shown.query, turn.confidence, ALL_SHOWN), kept)
        page, _ = shaping.page(answer, shown.page + 1, split=split)
        now_shown = replace(shown, page=shown.page + 1, at=now)
        return Outcome(Reply(shown.query, turn.confidence, page), kept, page=now_shown)
