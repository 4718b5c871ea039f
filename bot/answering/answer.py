"""The structure of an answer, independent of how it is shown (plain text, Telegram HTML)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Query


@dataclass(frozen=True)
class Line:
    """One bullet: text in the project's own words and the sources behind it; with `ours`, a
    suggestion of this project's own and the sources it builds on; with `absent`, our reading
    of what those sources leave out."""

    text: str
    sources: tuple[str, ...] = ()
    ours: bool = False
    absent: bool = False


@dataclass(frozen=True)
class Block:
    """A titled group of bullets."""

    title: str | None
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Suggestion:
    """A follow-up the user can ask: a label that reads as a question, and its resolved query."""

    label: str
    query: Query


@dataclass(frozen=True)
class Choice:
    """An answer the user can pick instead of typing it: a label, and the text it sends ("yes",
    "undo", "I'm a senior ML engineer"). Buttons in Telegram, numbered choices on a terminal."""

    label: str
    text: str


@dataclass(frozen=True)
class Answer:
    """A heading, an optional personal lead, blocks of bullets, follow-up suggestions, and
    choices the user can pick (confirmations, undo, which level a title is)."""

    heading: str
    lead: str | None = None
    blocks: tuple[Block, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    note: str | None = None
    choices: tuple[Choice, ...] = ()

    def source_ids(self) -> list[str]:
        """Source ids in order of first use."""
        seen: dict[str, None] = {}
        for block in self.blocks:
            for line in block.lines:
                for source in line.sources:
                    seen.setdefault(source, None)
        return list(seen)
