"""What a message says about the speaker's situation beyond their ML level: the field they come
from, that they are not in ML yet, and which levels named are someone else's. Pure: it reads
canonical words (typos corrected, synonyms applied)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.knowledge.lexicon import Lexicon
from bot.understanding.language import BOUNDARY
from bot.understanding.scoring import LEVEL, YEARS


@dataclass(frozen=True)
class Situation:
    """Facts about the speaker a message states (all empty when it states none)."""

    background: str | None = None  # the field someone moving into ML comes from
    stated: bool = False  # said in the first person ("I'm a data scientist", "DS here")
    not_in_ml: bool = False  # "I'm not an ML engineer yet"
    others: frozenset[int] = frozenset()  # positions (in masked tokens) of others' levels
    # Positions of levels of another field: "principal data scientist", "senior analyst".
    other_fields: frozenset[int] = frozenset()


def _phrases(texts: Iterable[str], canonical: Callable[[str], list[str]]) -> list[tuple[str, ...]]:
    """Phrases as canonical word tuples, longest first (so "phd student" wins over "phd")."""
    found = {tuple(w for w in canonical(t) if w != BOUNDARY) for t in texts}
    return sorted((p for p in found if p), key=len, reverse=True)


def _clauses(words: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) of each clause: the words between boundary marks."""
    spans, start = [], 0
    for i, word in enumerate(words):
        if word == BOUNDARY:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(words)))
    return [(a, b) for a, b in spans if a < b]


def _find(words: Sequence[str], phrase: tuple[str, ...], start: int, end: int) -> int | None:
    size = len(phrase)
    for i in range(start, end - size + 1):
        if tuple(words[i : i + size]) == phrase:
            return i
    return None


class SituationReader:
    """Reads a Situation from canonical words, with phrase lists from the language file."""

    def __init__(self, lexicon: Lexicon, canonical: Callable[[str], list[str]]) -> None:
        """`canonical` turns a phrase into words the way messages are turned into words."""
        self.backgrounds = [
            (phrase, b.id) for b in lexicon.backgrounds for phrase in _phrases(b.phrases, canonical)
        ]
        self.backgrounds.sort(key=lambda pair: len(pair[0]), reverse=True)
        self._background_starts = frozenset(phrase[0] for phrase, _ in self.backgrounds)
        self.not_yet = _phrases(lexicon.not_in_ml_yet, canonical)
        self.goal = frozenset(w for t in lexicon.goal_words for w in canonical(t))
        self.other = frozenset(w for t in lexicon.other_person for w in canonical(t))
        self.words = lexicon.situation
        # After a role that opens a message, these words (or years) make it the speaker's own
        # ("DS here", "DS with 4 yoe", "CS undergrad wanting to get into AI"): a headline.
        self.headline_after = self.words.headline_after | {YEARS}

    def read(self, words: Sequence[str], masked: Sequence[str]) -> Situation:
        """The situation in canonical `words`; `masked` are the same words with slots masked
        (levels as LEVEL), whose level positions tell whose each level is."""
        background = None
        stated = not_in_ml = False
        for start, end in _clauses(words):
            clause = words[start:end]
            # Only phrases whose first word the clause has can be in it: most are skipped.
            present = frozenset(clause)
            # "I" makes a role one's own; "my" alone does not ("feedback on my DS portfolio").
            mine = any(w in self.words.self_words for w in clause)
            if background is None:
                background = self._background(words, start, end, mine, present)
                stated = background is not None and mine
            if mine and any(
                p[0] in present and _find(words, p, start, end) is not None for p in self.not_yet
            ):
                not_in_ml = True
        fields = frozenset(
            i for i, w in enumerate(masked) if w == LEVEL and self._field_at(masked, i + 1)
        )
        return Situation(background, stated, not_in_ml, self._others(masked), fields)

    def _field_at(self, words: Sequence[str], i: int) -> bool:
        """A background's phrase starts at `i` ("[senior] data scientist")."""
        if i >= len(words) or words[i] not in self._background_starts:
            return False
        return any(tuple(words[i : i + len(p)]) == p for p, _ in self.backgrounds)

    def _background(
        self, words: Sequence[str], start: int, end: int, mine: bool, present: frozenset[str]
    ) -> str | None:
        for phrase, background in self.backgrounds:
            at = _find(words, phrase, start, end) if phrase[0] in present else None
            if at is None:
                continue
            after = words[at + len(phrase)] if at + len(phrase) < end else ""
            if after in self.words.group_words:
                continue  # a group, not the speaker: "DS folks", "DS circles"
            before = [w for w in words[max(start, at - 3) : at] if w not in self.words.articles]
            if before and before[-1] in self.words.from_words:
                return background  # "moving from data science into ML"
            if any(w in self.goal for w in before):
                continue  # "I want to become a data scientist"
            opening = at == start and start == 0 and after in self.headline_after
            if mine or opening:
                return background
        return None

    def _others(self, masked: Sequence[str]) -> frozenset[int]:
        """Positions of levels that belong to someone else: between the start of their clause
        and the level stands a word such as "with", "mentor" or "my manager"."""
        others = set()
        start = 0
        for i, word in enumerate(masked):
            if word == BOUNDARY:
                start = i + 1
            elif word == LEVEL and any(w in self.other for w in masked[start:i]):
                others.add(i)
        return frozenset(others)
