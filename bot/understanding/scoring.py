"""Scoring intents, the seam where a classifier plugs in: an `IntentScorer` ranks the intents for
an `Utterance`. The one built in, `ExampleScorer`, compares a message with every intent's example
phrasings by weighted word overlap, nudged by a naive Bayes model over each intent's examples."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.knowledge.model import KnowledgeBase
from bot.understanding.intent_model import IntentModel

# Masked slots: a message's levels, market, years and times of day, as examples see them too.
LEVEL = "<level>"
MARKET = "<market>"
YEARS = "<years>"
TIME = "<time>"
PLACEHOLDERS = frozenset({LEVEL, MARKET, YEARS, TIME})


@dataclass(frozen=True)
class Candidate:
    """An intent and how well the message matches it (0..1)."""

    intent: str
    score: float


@dataclass(frozen=True)
class Utterance:
    """A message (or an example phrasing) as the stages before scoring read it."""

    text: str  # as written
    words: tuple[str, ...]  # normalised, typos corrected, synonyms canonical; "|" between clauses
    masked: tuple[str, ...]  # the words with slots masked (LEVEL, MARKET, YEARS, TIME, ...)
    content: tuple[str, ...]  # the masked words without stopwords


@dataclass(frozen=True)
class Example:
    """One example phrasing of an intent, read like a message."""

    intent: str
    utterance: Utterance
    # A real person's message (knowledge/messages/): models that learn from all the phrasings
    # together use it; nearest-example matching does not, since a long story shares a word
    # with almost anything.
    message: bool = False


class IntentScorer(Protocol):
    """Ranks intents for a message, best first, each with a score from 0 to 1."""

    def rank(self, utterance: Utterance) -> list[Candidate]:
        """The candidate intents for `utterance`, highest score first."""
        ...


# Builds a scorer for a knowledge base from its examples (read like messages).
ScorerFactory = Callable[[KnowledgeBase, Sequence[Example]], IntentScorer]


def words_only(words: Sequence[str]) -> Utterance:
    """An utterance of bare content words (what is left of a statement, scored again)."""
    joined = tuple(words)
    return Utterance(" ".join(joined), joined, joined, joined)


class ExampleScorer:
    """Best example per intent by weighted token F-beta, nudged by naive Bayes (see the module)."""

    def __init__(self, kb: KnowledgeBase, examples: Sequence[Example]) -> None:
        self.settings = kb.settings
        examples = [e for e in examples if not e.message]
        pairs = [(e.intent, frozenset(e.utterance.content)) for e in examples]
        pairs = [(intent, content) for intent, content in pairs if content]
        self.texts = [e.utterance.text for e in examples if e.utterance.content]
        self.weights = word_weights(pairs, kb)
        for placeholder in PLACEHOLDERS:
            self.weights[placeholder] = self.settings.placeholder_weight
        self.examples = [(intent, content, self._weight(content)) for intent, content in pairs]
        self.intent_model = (
            IntentModel(
                (intent, [w for w in content if w not in PLACEHOLDERS]) for intent, content in pairs
            )
            if self.settings.bayes_weight
            else None
        )
        index: dict[str, list[int]] = defaultdict(list)
        for i, (_, content, _) in enumerate(self.examples):
            for word in content:
                index[word].append(i)
        self.index = dict(index)

    def _weight(self, words: Iterable[str]) -> float:
        unknown = self.settings.unknown_weight
        return sum(self.weights.get(w, unknown) for w in words)

    def rank(self, utterance: Utterance) -> list[Candidate]:
        """Best example score per intent (weighted token F-beta), nudged by how strongly all
        the words together point at the intent; highest first."""
        content = utterance.content
        best: dict[str, float] = {}
        for i, f in self._example_scores(content).items():
            intent = self.examples[i][0]
            if f > best.get(intent, 0.0):
                best[intent] = f
        weight = self.settings.bayes_weight
        if self.intent_model is not None and weight and best:
            posterior = self.intent_model.posterior(w for w in content if w not in PLACEHOLDERS)
            best = {
                i: min(1.0, max(0.0, s + weight * (posterior.get(i, 0.0) - 0.5)))
                for i, s in best.items()
            }
        return sorted((Candidate(i, s) for i, s in best.items()), key=lambda c: -c.score)

    def explain(self, utterance: Utterance) -> list[tuple[str, float, str]]:
        """(intent, score, best example) for the top candidates: for tuning the examples."""
        best: dict[str, tuple[float, str]] = {}
        for i, f in self._example_scores(utterance.content).items():
            intent = self.examples[i][0]
            if f > best.get(intent, (0.0, ""))[0]:
                best[intent] = (f, self.texts[i])
        ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
        return [(intent, f, example) for intent, (f, example) in ranked[:5]]

    def _candidates(self, known: list[str]) -> set[int]:
        """The examples worth scoring: those sharing the query's informative words and its two
        weightiest ones. Walking the postings of words hundreds of examples use ("how", "mle")
        costs most of the time and rarely decides anything, but "salary" in "what does a junior
        earn" must always be walked, however many examples use it."""
        s = self.settings
        walkable = [w for w in known if len(self.index[w]) <= s.max_postings]
        heaviest = sorted(walkable, key=lambda w: -self.weights[w])[:2]
        informative = {
            w for w in known
            if self.weights[w] >= s.informative_weight and len(self.index[w]) <= s.common_postings
        } | set(heaviest)  # fmt: skip
        if not informative and known:
            informative = {min(known, key=lambda w: len(self.index[w]))}
        candidates: set[int] = set()
        for word in informative:
            candidates.update(self.index.get(word, ()))
        return candidates

    def _example_scores(self, content: Sequence[str]) -> dict[int, float]:
        query = frozenset(content)
        if not query:
            return {}
        query_weight = self._weight(query)
        known = [w for w in query if w in self.weights]
        candidates = self._candidates(known)
        # Set intersection runs in C over the smaller set: most of the cost of a match.
        known_set, weight_of, examples = frozenset(known), self.weights.__getitem__, self.examples
        overlap = {i: sum(map(weight_of, examples[i][1] & known_set)) for i in candidates}
        scores: dict[int, float] = {}
        beta2 = self.settings.beta**2
        evidence = self.settings.min_evidence
        for i, shared in overlap.items():
            _, _, example_weight = self.examples[i]
            precision, recall = shared / query_weight, shared / example_weight
            # F-beta: beta > 1 favours covering an example over explaining every word of a
            # long message ("getting ready for ml interviews, where should i focus").
            f = (1 + beta2) * precision * recall / (beta2 * precision + recall)
            # Sharing only common words ("what", "ml") is weak evidence, however well it covers.
            scores[i] = f * min(1.0, shared / evidence)
        return scores


def word_weights(examples: list[tuple[str, frozenset[str]]], kb: KnowledgeBase) -> dict[str, float]:
    """How strongly each word points at one intent.

    A word's weight grows with the share of its examples that belong to its most frequent
    intent (concentration) and with how many examples use it (support): "salary" in sixty pay
    examples weighs a lot, "what" everywhere little, and "normal" in a single example only a
    little, however rare it is.
    """
    per_word: dict[str, Counter[str]] = defaultdict(Counter)
    off_topic: Counter[str] = Counter()
    fallback = kb.fallback
    for intent, content in examples:
        for word in content:
            # Career words in off-topic examples ("nurse salary") must not dilute how strongly
            # "salary" points at pay: off-topic examples only weigh words of their own.
            if intent == fallback:
                off_topic[word] += 1
            else:
                per_word[word][intent] += 1
    for word, count in off_topic.items():
        if word not in per_word:
            per_word[word][fallback] = count
    top = math.log(1 + max(len(kb.intents), 1))
    settings = kb.settings
    weights = {}
    for word, counts in per_word.items():
        total = sum(counts.values())
        concentration = max(counts.values()) / total
        support = 1 - math.exp(-total / settings.support_scale)
        weights[word] = settings.min_weight + top * concentration * support
    return weights
