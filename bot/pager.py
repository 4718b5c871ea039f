"""Long answers a page at a time: about a phone screen (`shaping.MAX_LINES`), then "More …";
"more" (or the same question again, within the conversation's 30 minutes) shows what has not
been shown yet."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.answering import shaping
from bot.answering.answer import Answer
from bot.domain import CONTEXT_TTL, Query, ShownPage
from bot.knowledge.model import KnowledgeBase
from bot.reply import Outcome, Reply
from bot.understanding.dialogue import Turn

if TYPE_CHECKING:
    from bot.storage.store import Storage

NOTHING = Answer("Nothing more to show", "Ask me anything: I answer in a few lines at a time.")
ALL_SHOWN = Answer("That's all I have on that", "Ask about something else, or another level.")


class Unread:
    """The last page shown is not known yet: the pager reads it."""


UNREAD = Unread()


def _key(query: Query) -> Query:
    """What identifies an answer: its intent and slots (not the planner's detail words)."""
    return Query(query.intent, query.level, query.from_level, query.market)


class Pager:
    """Cuts knowledge answers into pages and remembers, per user, the last page shown."""

    def __init__(self, kb: KnowledgeBase, storage: Storage) -> None:
        self.kb = kb
        self.storage = storage

    def _pageable(self, query: Query) -> bool:
        """Answers from the knowledge base; replies, plans (paged by their keyboard) and
        actions are short or shaped by their own code."""
        spec = self.kb.intents.get(query.intent)
        return spec is not None and spec.answer.from_knowledge

    async def _last(self, user_id: int, now: datetime) -> ShownPage | None:
        """The last long answer's page shown, while the conversation is fresh."""
        last = await self.storage.shown_page(user_id)
        return last if last is not None and now - last.at <= CONTEXT_TTL else None

    async def shape(
        self, user_id: int, query: Query, answer: Answer, now: datetime, words: Sequence[str],
        shown: ShownPage | Unread | None = UNREAD,
    ) -> tuple[Answer, ShownPage | None]:  # fmt: skip
        """The page of `answer` to show now: the first, or the next one when the same
        question comes again right after (the same text is never sent twice in a row); and the
        page to remember as shown (the caller saves it with the rest of the message's state).
        `shown`: the last page shown, when read with the profile (saves a trip)."""
        if not self._pageable(query):
            return answer, None
        count = len(shaping.pages(answer))
        if count == 1:
            return answer, None
        if isinstance(shown, Unread):
            last = await self._last(user_id, now)
        else:
            last = shown if shown is not None and now - shown.at <= CONTEXT_TTL else None
        again = last is not None and last.query == _key(query) and last.page + 1 < count
        page = last.page + 1 if again and last else 0
        return shaping.page(answer, page)[0], ShownPage(_key(query), page, now, tuple(words))

    async def more(
        self, turn: Turn, build: Callable[[Query, Sequence[str]], Answer], now: datetime
    ) -> Outcome:
        """ "more": the next page of the last long answer, rebuilt with `build` from its query
        and its question's words."""
        last = await self._last(turn.profile.user_id, now)
        if last is None:
            return Outcome(Reply(turn.query, turn.confidence, NOTHING), turn)
        answer = build(last.query, last.words)
        kept = replace(turn, query=last.query)
        if last.page + 1 >= len(shaping.pages(answer)):
            return Outcome(Reply(last.query, turn.confidence, ALL_SHOWN), kept)
        await self.storage.show_page(
            turn.profile.user_id, replace(last, page=last.page + 1, at=now)
        )
        shown, _ = shaping.page(answer, last.page + 1)
        return Outcome(Reply(last.query, turn.confidence, shown), kept)
