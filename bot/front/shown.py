"""What a front end draws: a message (`Shown`) with rows of options to pick, and a picture."""

from __future__ import annotations

from dataclasses import dataclass

from bot.advisor import Reply
from bot.answering.answer import Answer
from bot.domain import Query

# A button is one line on a phone (about 45 characters across a 390-px screen).
BUTTON_CHARS = 44


class BadPick(ValueError):
    """A pick this bot did not offer (an old button, or tampering)."""


@dataclass(frozen=True)
class Option:
    """One thing to pick: `label` says what it does (terminal, JSON), `short` is the button's
    text where a row's heading says the rest, `text` does the same when typed, and `kind` with
    `args` is what `Front.pick` carries out (Telegram's callback data: "kind|arg|...")."""

    label: str
    text: str
    kind: str
    args: tuple[str, ...] = ()
    short: str | None = None


@dataclass(frozen=True)
class Row:
    """Options shown side by side, under an optional heading (a plan item: its name and status;
    in Telegram a button that shows how to demonstrate it)."""

    options: tuple[Option, ...]
    heading: Option | None = None


@dataclass(frozen=True)
class Photo:
    """A picture to send: a pay chart."""

    filename: str
    data: bytes
    caption: str


@dataclass(frozen=True)
class Shown:
    """One message: the reply, its options, and a picture if any. `edit`: it replaces the
    message whose option was picked (Telegram edits it in place); `toast`: a short notice for
    the pick itself, with nothing else to show."""

    reply: Reply
    rows: tuple[Row, ...] = ()
    photo: Photo | None = None
    edit: bool = False
    toast: str | None = None

    @property
    def answer(self) -> Answer:
        """The answer to show."""
        return self.reply.answer

    def options(self) -> list[Option]:
        """Every option, in the order shown (headings are not options)."""
        return [o for row in self.rows for o in row.options]


def said(intent: str, answer: Answer, query: Query | None = None) -> Reply:
    """A reply the front end composed itself (not the advisor's), reported as `intent`."""
    return Reply(query or Query(intent), 1.0, answer)


def cut(text: str, limit: int = BUTTON_CHARS) -> str:
    """Cut at a word so a button stays one readable line."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def pairs(options: list[Option]) -> list[Row]:
    """Options two to a row."""
    return [Row(tuple(options[i : i + 2])) for i in range(0, len(options), 2)]
