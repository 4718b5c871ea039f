"""Answers people read on a phone: about a dozen lines at a time with the rest behind "More",
and a topic's sections chosen by the words of the question and the asker's situation."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from functools import lru_cache

from bot.answering.answer import Answer, Block, Choice
from bot.knowledge.model import Section
from bot.understanding.language import tokens

# The most lines an answer shows at once (heading, lead, block titles, bullets, note): about
# one phone screen. The rest comes with "more".
MAX_LINES = 12
MORE = Choice("More …", "more")


def _size(block: Block) -> int:
    return len(block.lines) + (1 if block.title else 0)


def _fitting(blocks: Sequence[Block], room: int) -> list[Block]:
    """Blocks, each too long for a page cut into parts that fit."""
    out = []
    for block in blocks:
        title, lines = block.title, block.lines
        while _size(Block(title, lines)) > room:
            keep = max(room - (1 if title else 0), 1)
            out.append(Block(title, lines[:keep]))
            title, lines = (f"{block.title} (more)" if block.title else None), lines[keep:]
        out.append(Block(title, lines))
    return out


def pages(answer: Answer, limit: int = MAX_LINES) -> list[tuple[Block, ...]]:
    """The answer's blocks split into pages of at most `limit` lines. A block is never split
    (a "sources differ" item stays with the facts it concerns) unless it alone is too long."""
    head = 1 + (1 if answer.lead else 0) + (1 if answer.note else 0)
    room = max(limit - head, 3)
    out: list[list[Block]] = [[]]
    used = 0
    for block in _fitting(answer.blocks, room):
        size = _size(block)
        if out[-1] and used + size > room:
            out.append([])
            used = 0
        out[-1].append(block)
        used += size
    return [tuple(p) for p in out if p] or [()]


def page(
    answer: Answer, number: int, limit: int = MAX_LINES,
    split: list[tuple[Block, ...]] | None = None,
) -> tuple[Answer, bool]:  # fmt: skip
    """Page `number` (0 first) of an answer, and whether more follows. Later pages keep the
    heading (marked as continued), not the lead; "More …" comes first among the choices of
    every page but the last, and the suggestions stay on each. `split`: `pages(answer, limit)`,
    when the caller has it already."""
    split = split if split is not None else pages(answer, limit)
    number = min(max(number, 0), len(split) - 1)
    more = number < len(split) - 1
    shown = replace(answer, blocks=split[number])
    if number:
        shown = replace(shown, heading=f"{answer.heading} (continued)", lead=None)
    if more:
        shown = replace(shown, choices=(MORE, *shown.choices))
    return shown, more


def relevant_sections(
    sections: Sequence[Section],
    question: Collection[str],
    canonical: Callable[[str], Sequence[str]],
    background: str | None = None,
) -> list[Section]:
    """A topic's sections, those that share words with the question first (by how many), then
    the rest in their order; for someone from another field who has a section of their own,
    it leads and the sections for other fields go."""
    words = set(question)

    def overlap(section: Section) -> int:
        text = " ".join([section.title or "", *(i.text for i in section.items)])
        return len(words & set(canonical(text)))

    mine = [s for s in sections if background and background in s.backgrounds]
    # Without a section for the asker's own field, every field's section may help them.
    rest = [s for s in sections if not s.backgrounds] if mine else list(sections)
    # sorted() is stable: ties keep their order (and without words, all tie).
    ranked = sorted(rest, key=lambda s: -overlap(s)) if words else rest
    return [*mine, *ranked]


@lru_cache(maxsize=4096)
def words_of(text: str) -> tuple[str, ...]:
    """A section's words, read once: sections are few and asked about again and again."""
    return tuple(tokens(text))
