"""Plan items a message names: what the speaker says they have ("I already know PyTorch and
Docker"), still lack ("I don't know Kubernetes yet"), or names too vaguely to tell. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from bot.knowledge.lexicon import alternation
from bot.knowledge.model import KnowledgeBase, Plan, PlanItem
from bot.understanding import statements
from bot.understanding.language import normalize

# A vague mention ("the feature stuff") is asked about with at most this many likely items.
LIKELY = 3


@lru_cache(maxsize=8)
def _clauses(breaks: tuple[str, ...]) -> re.Pattern[str]:
    """Where a message's clauses end: punctuation, or a word such as "but"."""
    return re.compile(rf"\s*(?:[,.;!?]|\b(?:{alternation(breaks)})\b)\s*")


@dataclass(frozen=True)
class Ticks:
    """What a message says about plan items."""

    done: tuple[PlanItem, ...] = ()
    still_open: tuple[PlanItem, ...] = ()
    ambiguous: tuple[tuple[str, tuple[PlanItem, ...]], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.done or self.still_open or self.ambiguous)


def read_ticks(plan: Plan, text: str, kb: KnowledgeBase) -> Ticks:
    """Plan items a message says the user has ("I already know PyTorch and Docker"), says they
    still lack ("I don't know Kubernetes yet"), or names too vaguely to tell ("deep learning")."""
    done: list[PlanItem] = []
    still: list[PlanItem] = []
    ambiguous: list[tuple[str, tuple[PlanItem, ...]]] = []
    lexicon, settings = kb.lexicon, kb.settings
    for clause in _clauses(lexicon.plans.clause_breaks).split(text.lower().replace("’", "'")):
        words = normalize(clause).split()
        if not words:
            continue
        negated = statements.negated(" ".join(words), lexicon.statements)
        found = [item for item in plan.items if any(_has(words, a, kb) for a in item.aliases)]
        if not found:
            # Named only in part ("feature stuff"): asked about, never guessed.
            partial = _partial(plan, words, lexicon.plans.generic, settings.typo_min_length)
            if partial and not negated:
                ambiguous.append((clause.strip(), tuple(partial)))
            continue
        for item in found:
            target = still if negated else done
            if item not in target:
                target.append(item)
    return Ticks(tuple(done), tuple(still), tuple(ambiguous))


def named_items(plan: Plan, text: str, kb: KnowledgeBase) -> list[PlanItem]:
    """The items of a plan a message names whole ("remove kubernetes from my plan")."""
    words = normalize(text.lower().replace("’", "'")).split()
    return [item for item in plan.items if any(_has(words, a, kb) for a in item.aliases)]


def _close(word: str, part: str, ratio: float, shortest: int) -> bool:
    """A small typo of a longer word ("pytroch"); lengths too far apart cannot reach `ratio`."""
    if len(part) < shortest or 200 * min(len(word), len(part)) < ratio * (len(word) + len(part)):
        return False
    return fuzz.ratio(word, part) >= ratio


@lru_cache(maxsize=8192)
def _words_of(alias: str) -> tuple[str, ...]:
    """An alias as normalised words (aliases are few and fixed: normalised once)."""
    return tuple(normalize(alias).split())


def _has(words: Sequence[str], alias: str, kb: KnowledgeBase) -> bool:
    """The alias's words appear in order (each word may have a small typo, "pytroch", or be a
    plural, "talks")."""
    parts = _words_of(alias)
    if not parts:
        return False
    ratio, shortest = kb.settings.typo_ratio, kb.settings.typo_min_length
    plurals = kb.lexicon.plural_suffixes
    for start in range(len(words) - len(parts) + 1):
        window = words[start : start + len(parts)]
        if all(
            w == p or w in (p + s for s in plurals) or _close(w, p, ratio, shortest)
            for w, p in zip(window, parts, strict=True)
        ):
            return True
    return False


def _partial(
    plan: Plan, words: Sequence[str], generic: frozenset[str], shortest: int
) -> list[PlanItem]:
    """The likely items for a message that names a thing only in part ("the feature stuff"):
    those whose aliases share the most significant words with it, at most `LIKELY` of them."""
    significant = {w for w in words if len(w) >= shortest and w not in generic}
    scored = []
    for index, item in enumerate(plan.items):
        alias_words = {w for a in item.aliases for w in _words_of(a)}
        shared = len(significant & alias_words)
        if shared:
            # More shared words first; then the item whose aliases are about fewer other
            # things (a closer fit), then plan order.
            scored.append((-shared, len(alias_words), index, item))
    scored.sort(key=lambda s: s[:3])
    return [item for *_, item in scored[:LIKELY]]
