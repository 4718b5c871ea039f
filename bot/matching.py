"""Intent matching: canonicalise a message, extract slots, score it against every intent's examples."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.knowledge import KnowledgeBase
from bot.language import PhraseMap, Speller, tokens
from bot.slots import BOUNDARY, LEVEL, MARKET, YEARS, Extraction, SlotExtractor

OUT_OF_SCOPE = "out_of_scope"
PLACEHOLDERS = frozenset({LEVEL, MARKET, YEARS})
# Words that, with nothing else, make a message a follow-up on slots ("and for staff?").
FOLLOWUP_WORDS = frozenset({"and", "what", "about", "how", "then", "ok", "okay", "so", "same"})
# Intents that never compete with a question for "did you mean".
_NOT_CLARIFIED = frozenset({"greeting", "set_level", "set_market", OUT_OF_SCOPE})
# An unknown word weighs like a rare known word: a message about something else is mostly unknown.
_PLACEHOLDER_WEIGHT = 0.6


@dataclass(frozen=True)
class Candidate:
    """An intent and how well the message matches it (0..1)."""

    intent: str
    score: float


@dataclass
class Match:
    """The outcome of matching one message."""

    intent: str
    confidence: float
    candidates: list[Candidate]
    slots: Extraction
    ambiguous: tuple[str, str] | None
    slot_only: bool
    content: list[str]


class Matcher:
    """Scores messages against the knowledge base's intents with weighted token overlap."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.settings = kb.settings
        self.stopwords = frozenset(kb.stopwords) | {BOUNDARY}
        synonym_map = {v: canon for canon, variants in kb.synonyms.items() for v in variants}
        self.synonyms = PhraseMap(synonym_map)
        aliases = [a for lv in kb.levels.values() for a in lv.aliases]
        aliases += [a for m in kb.markets.values() for a in m.aliases]
        vocabulary: set[str] = set(self.stopwords)
        for phrase in [*synonym_map, *kb.synonyms, *aliases]:
            vocabulary.update(tokens(phrase))
        for spec in kb.intents.values():
            for example in spec.examples:
                vocabulary.update(tokens(example))
        self.speller = Speller(vocabulary)
        canonical = {a: tuple(self.synonyms.apply(tokens(a))) for a in aliases}
        self.extractor = SlotExtractor(kb, canonical)
        self._build_index()

    # -- building --------------------------------------------------------------------------
    def canonical(self, text: str) -> list[str]:
        """Tokens with typos corrected and synonyms replaced by their canonical words."""
        return self.synonyms.apply([self.speller.correct(w) for w in tokens(text)])

    def _content(self, words: Iterable[str]) -> list[str]:
        return [w for w in words if w not in self.stopwords]

    def _build_index(self) -> None:
        examples: list[tuple[str, frozenset[str]]] = []
        for spec in self.kb.intents.values():
            for text in spec.examples:
                content = frozenset(
                    self._content(self.extractor.extract(self.canonical(text)).tokens)
                )
                if content:
                    examples.append((spec.id, content))
        intents_with: dict[str, set[str]] = defaultdict(set)
        for intent, content in examples:
            for word in content:
                intents_with[word].add(intent)
        n_intents = max(1, len(self.kb.intents))
        self.weights = {w: math.log(1 + n_intents / len(ids)) for w, ids in intents_with.items()}
        for placeholder in PLACEHOLDERS:
            self.weights[placeholder] = _PLACEHOLDER_WEIGHT
        self.unknown_weight = max(self.weights.values(), default=1.0)
        self.examples = [(intent, content, self._weight(content)) for intent, content in examples]
        index: dict[str, list[int]] = defaultdict(list)
        for i, (_, content, _) in enumerate(self.examples):
            for word in content:
                index[word].append(i)
        self.index = dict(index)

    def _weight(self, words: Iterable[str]) -> float:
        return sum(self.weights.get(w, self.unknown_weight) for w in words)

    # -- matching --------------------------------------------------------------------------
    def match(self, text: str) -> Match:
        """Match a message to an intent, with slots, candidates and a confidence."""
        slots = self.extractor.extract(self.canonical(text))
        content = self._content(slots.tokens)
        candidates = self.score(content)
        has_slot = bool(slots.level or slots.from_level or slots.market or slots.own_level)
        has_slot = has_slot or slots.years is not None
        bare = [w for w in content if w not in PLACEHOLDERS and w not in FOLLOWUP_WORDS]
        slot_only = has_slot and not bare
        best = candidates[0] if candidates else Candidate(OUT_OF_SCOPE, 0.0)
        second = candidates[1] if len(candidates) > 1 else Candidate(OUT_OF_SCOPE, 0.0)
        threshold, margin = self.settings.threshold, self.settings.margin
        intent, ambiguous = best.intent, None
        if best.score < threshold:
            intent = OUT_OF_SCOPE
        elif (
            second.score >= threshold
            and best.score - second.score < margin
            and best.intent not in _NOT_CLARIFIED
            and second.intent not in _NOT_CLARIFIED
        ):
            ambiguous = (best.intent, second.intent)
        return Match(intent, best.score, candidates[:3], slots, ambiguous, slot_only, content)

    def score(self, content: Sequence[str]) -> list[Candidate]:
        """Best example score per intent, highest first (weighted token F1)."""
        query = frozenset(content)
        if not query:
            return []
        query_weight = self._weight(query)
        overlap: dict[int, float] = defaultdict(float)
        for word in query:
            weight = self.weights.get(word)
            if weight is None:
                continue
            for i in self.index.get(word, ()):
                overlap[i] += weight
        best: dict[str, float] = {}
        for i, shared in overlap.items():
            intent, _, example_weight = self.examples[i]
            precision, recall = shared / query_weight, shared / example_weight
            f1 = 2 * precision * recall / (precision + recall)
            if f1 > best.get(intent, 0.0):
                best[intent] = f1
        return sorted((Candidate(i, s) for i, s in best.items()), key=lambda c: -c.score)
