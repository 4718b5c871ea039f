"""What the advisor says to one message (`Reply`) and the state its turn leaves (`Outcome`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.answering.answer import Answer
from bot.coaching.planner import Document
from bot.domain import Context, Query, ShownPage
from bot.understanding.dialogue import Turn
from bot.understanding.language import plain


@dataclass(frozen=True)
class Reply:
    """What the advisor says to one message, with the query it understood."""

    query: Query
    confidence: float
    answer: Answer
    clarify: tuple[str, ...] = ()
    document: Document | None = None
    items: tuple[tuple[str, str], ...] = ()
    updated: tuple[str, ...] = ()  # the profile fields this message changed
    pending: str | None = None  # the kind of destructive action waiting for "yes"
    background: str | None = None  # where the user comes from, if moving into ML

    @property
    def intent(self) -> str:
        """The intent the reply answers."""
        return self.query.intent


@dataclass(frozen=True)
class Outcome:
    """A reply with the state its turn leaves behind, before it is saved."""

    reply: Reply
    turn: Turn
    unanswered: str | None = None
    undone: bool = False
    page: ShownPage | None = None  # the page of a long answer "more" showed, saved with the turn


def asking(turn: Turn, action: str, now: datetime) -> Turn:
    """The turn, with `action` waiting for the user's "yes" on the next message."""
    base = turn.context or Context(turn.query.intent, None, None, None, None, now)
    return replace(turn, context=replace(base, confirm=action, at=now))


def with_note(answer: Answer, text: str, *, first: bool = True) -> Answer:
    """The answer with `text` before its note (after it with `first=False`)."""
    if not answer.note:
        return replace(answer, note=text)
    note = f"{text} {answer.note}" if first else f"{answer.note} {text}"
    return replace(answer, note=note)


def says_any(text: str, phrases: tuple[str, ...]) -> bool:
    """Whether the message says one of the phrases, as whole words."""
    words = f" {plain(text)} "
    return any(f" {p} " in words for p in phrases)


def to_json(reply: Reply, text: str) -> dict[str, Any]:
    """The stable scripting shape of a reply whose answer reads as `text` (README, "JSON")."""
    return {
        "intent": reply.query.intent,
        "level": reply.query.level,
        "from_level": reply.query.from_level,
        "market": reply.query.market,
        "confidence": round(reply.confidence, 3),
        "clarification": bool(reply.clarify),
        "background": reply.background,
        "answer": text,
        "suggestions": [s.label for s in reply.answer.suggestions],
        "choices": [{"label": c.label, "text": c.text} for c in reply.answer.choices],
        "updated": list(reply.updated),
        "pending": reply.pending,
    }


def unplaced_title(turn: Turn) -> str | None:
    """A title of one's own whose level the message does not tell ("tech lead")."""
    slots = turn.said.slots if turn.said else None
    if slots and slots.own_title and slots.title and not slots.own_level:
        return slots.title
    return None
