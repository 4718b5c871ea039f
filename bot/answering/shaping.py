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
    ignore: Collection[str] = frozenset(),
) -> list[Section]:
    """A topic's sections, those that share words with the question first (by how many), then
    the rest in their order; for someone from another field who has a section of their own,
    it leads and the sections for other fields go.

    Words in `ignore` (function words, stopwords) say how something is asked, not what about,
    and do not count; a word counts when a word of the section begins with it or it begins
    with one, four letters at least: "how do you keep from burning out" shares "burn" with
    the section on burn-out, not "you" and "what" with every other."""
    words = {w for w in question if w not in ignore}

    def overlap(section: Section) -> int:
        return len(shared(words, _by_prefix(tuple(canonical(_text(section))))))

    mine = [s for s in sections if background and background in s.backgrounds]
    # Without a section for the asker's own field, every field's section may help them.
    rest = [s for s in sections if not s.backgrounds] if mine else list(sections)
    # sorted() is stable: ties keep their order (and without words, all tie).
    ranked = sorted(rest, key=lambda s: -overlap(s)) if words else rest
    return [*mine, *ranked]


def _text(section: Section) -> str:
    """A section's title and lines, as one text."""
    return " ".join([section.title or "", *(i.text for i in section.items)])


# Shorter words match whole only: "ai" is not "aim", "pay" is not "payroll"; from four letters,
# a word matches one it begins or that begins it ("burn" and "burning", "burn" and "burnout",
# though not "burned" and "burnout").
_STEM = 4


def shared(question: Collection[str], section: dict[str, frozenset[str]]) -> set[str]:
    """The question's words that a section has, whole or as a word beginning with the other."""
    found = set()
    for w in question:
        # A short word's group holds only itself: it matches whole.
        candidates = section.get(w[:_STEM], frozenset())
        if any(x.startswith(w) or w.startswith(x) for x in candidates):
            found.add(w)
    return found


@lru_cache(maxsize=512)
def _by_prefix(words: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """A section's words by their first four letters (read once: sections are few and asked
    about again and again)."""
    groups: dict[str, set[str]] = {}
    for w in words:
        groups.setdefault(w[:_STEM], set()).add(w)
    return {k: frozenset(v) for k, v in groups.items()}


@lru_cache(maxsize=4096)
def words_of(text: str) -> tuple[str, ...]:
    """A section's words, read once: sections are few and asked about again and again."""
    return tuple(tokens(text))
