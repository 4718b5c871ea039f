"""Plan items a message names: what the speaker says they have ("I already know PyTorch and
Docker"), still lack ("I don't know Kubernetes yet"), or names too vaguely to tell. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from bot.knowledge.model import Plan, PlanItem
from bot.understanding import statements
from bot.understanding.language import normalize

_CLAUSES = re.compile(r"\s*(?:[,.;!?]|\bbut\b|\balthough\b|\bhowever\b)\s*")


@dataclass(frozen=True)
class Ticks:
    """What a message says about plan items."""

    done: tuple[PlanItem, ...] = ()
    still_open: tuple[PlanItem, ...] = ()
    ambiguous: tuple[tuple[str, tuple[PlanItem, ...]], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.done or self.still_open or self.ambiguous)


def read_ticks(plan: Plan, text: str) -> Ticks:
    """Plan items a message says the user has ("I already know PyTorch and Docker"), says they
    still lack ("I don't know Kubernetes yet"), or names too vaguely to tell ("deep learning")."""
    done: list[PlanItem] = []
    still: list[PlanItem] = []
    ambiguous: list[tuple[str, tuple[PlanItem, ...]]] = []
    for clause in _CLAUSES.split(text.lower().replace("’", "'")):
        words = normalize(clause).split()
        if not words:
            continue
        negated = statements.negated(" ".join(words))
        found = [item for item in plan.items if any(_has(words, a) for a in item.aliases)]
        if not found:
            # Named only in part ("feature stuff"): asked about, never guessed.
            partial = _partial(plan, words)
            if partial and not negated:
                ambiguous.append((clause.strip(), tuple(partial)))
            continue
        for item in found:
            target = still if negated else done
            if item not in target:
                target.append(item)
    return Ticks(tuple(done), tuple(still), tuple(ambiguous))


def named_items(plan: Plan, text: str) -> list[PlanItem]:
    """The items of a plan a message names whole ("remove kubernetes from my plan")."""
    words = normalize(text.lower().replace("’", "'")).split()
    return [item for item in plan.items if any(_has(words, a) for a in item.aliases)]


def _close(word: str, part: str) -> bool:
    """A small typo of a longer word ("pytroch"); lengths too far apart cannot reach 85."""
    if len(part) < 5 or 200 * min(len(word), len(part)) < 85 * (len(word) + len(part)):
        return False
    return fuzz.ratio(word, part) >= 85


@lru_cache(maxsize=8192)
def _words_of(alias: str) -> tuple[str, ...]:
    """An alias as normalised words (aliases are few and fixed: normalised once)."""
    return tuple(normalize(alias).split())


def _has(words: Sequence[str], alias: str) -> bool:
    """The alias's words appear in order (each word may have a small typo, "pytroch", or be a
    plural, "talks")."""
    parts = _words_of(alias)
    if not parts:
        return False
    for start in range(len(words) - len(parts) + 1):
        window = words[start : start + len(parts)]
        if all(
            w in (p, p + "s", p + "es") or _close(w, p) for w, p in zip(window, parts, strict=True)
        ):
            return True
    return False


_GENERIC = frozenset(
    {"learning", "model", "models", "system", "systems", "data", "code", "work", "project",
     "projects", "skills", "team", "teams", "good", "more", "some", "level", "levels", "senior",
     "junior", "staff", "principal", "engineer", "engineering", "about", "really", "always",
     "never", "things", "stuff", "using", "doing", "being", "having", "their", "there", "which"}
)  # fmt: skip


def _partial(plan: Plan, words: Sequence[str]) -> list[PlanItem]:
    """Items whose aliases contain a significant word of the message ("kubernetes" in "k8s and
    kubernetes"), for messages that name a thing only in part."""
    significant = {w for w in words if len(w) >= 5 and w not in _GENERIC}
    hits = []
    for item in plan.items:
        alias_words = {w for a in item.aliases for w in _words_of(a)}
        if significant & alias_words:
            hits.append(item)
    return hits
