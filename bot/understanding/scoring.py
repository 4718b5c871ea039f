"""Scoring intents, the seam where a classifier plugs in: an `IntentScorer` ranks the intents for
an `Utterance`. The one built in, `ExampleScorer`, compares a message with every intent's example
phrasings by weighted word overlap, nudged by a naive Bayes model over each intent's examples."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from bot.knowledge.model import KnowledgeBase
from bot.understanding.intent_model import IntentModel

# Masked slots: a message's levels, market, years and times of day, as examples see them too.
LEVEL = "<level>"
MARKET = "<market>"
YEARS = "<years>"
TIME = "<time>"
PLACEHOLDERS = frozenset({LEVEL, MARKET, YEARS, TIME})


class Candidate(NamedTuple):
    """An intent and how well the message matches it (0..1). A named tuple: every intent is
    one, for every message, and a tuple is several times cheaper to make than a dataclass."""

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
        self._index()
        # Both learned from `pairs`, so they list the intents in the same order.
        assert self.intent_model is None or self.intent_model.intents == self.intents

    def _index(self) -> None:
        """The examples by word (postings), as lists and as arrays: scoring a message adds up
        its words' weights over their postings in numpy rather than intersecting sets example
        by example (most of a match's cost)."""
        index: dict[str, list[int]] = defaultdict(list)
        for i, (_, content, _) in enumerate(self.examples):
            for word in content:
                index[word].append(i)
        self.index = dict(index)
        self.postings = {w: np.array(ids, dtype=np.intp) for w, ids in self.index.items()}
        self.example_weight = np.array([w for _, _, w in self.examples], dtype=np.float64)
        # Intents in the order of their first example: equal scores keep ranking as written.
        self.intents = list(dict.fromkeys(intent for intent, _, _ in self.examples))
        self.example_intent = np.array(
            [self.intents.index(intent) for intent, _, _ in self.examples], dtype=np.intp
        )

    def _weight(self, words: Iterable[str]) -> float:
        unknown = self.settings.unknown_weight
        return sum(self.weights.get(w, unknown) for w in words)

    def rank(self, utterance: Utterance) -> list[Candidate]:
        """Best example score per intent (weighted token F-beta), nudged by how strongly all
        the words together point at the intent; highest first."""
        present, scores = self.scores(utterance)
        return ranked(self.intents, present, scores)

    def scores(self, utterance: Utterance) -> tuple[np.ndarray, np.ndarray]:
        """(which intents an example matched, their scores), in the order of `intents`."""
        content = utterance.content
        ids, scores = self._example_scores(content)
        top = np.zeros(len(self.intents))
        np.fmax.at(top, self.example_intent[ids], scores)  # fmax: a NaN never hides a score
        present = top > 0.0
        weight = self.settings.bayes_weight
        if self.intent_model is not None and weight and present.any():
            posterior = self.intent_model.probabilities(w for w in content if w not in PLACEHOLDERS)
            if posterior is not None:
                top = np.where(present, np.clip(top + weight * (posterior - 0.5), 0.0, 1.0), 0.0)
            else:  # nothing but placeholders: every intent is as likely as none
                top = np.where(present, np.clip(top - weight * 0.5, 0.0, 1.0), 0.0)
        return present, top

    def explain(self, utterance: Utterance) -> list[tuple[str, float, str]]:
        """(intent, score, best example) for the top candidates: for tuning the examples."""
        best: dict[str, tuple[float, str]] = {}
        ids, scores = self._example_scores(utterance.content)
        for i, f in zip(ids.tolist(), scores.tolist(), strict=True):
            intent = self.examples[i][0]
            if f > best.get(intent, (0.0, ""))[0]:
                best[intent] = (f, self.texts[i])
        ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
        return [(intent, f, example) for intent, (f, example) in ranked[:5]]

    def _candidates(self, known: list[str]) -> np.ndarray:
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
        chosen = np.zeros(len(self.examples), dtype=bool)
        for word in informative:
            ids = self.postings.get(word)
            if ids is not None:
                chosen[ids] = True
        return np.flatnonzero(chosen)

    def _example_scores(self, content: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(example ids, their scores) for the examples worth scoring."""
        query = frozenset(content)
        known = [w for w in query if w in self.weights]
        candidates = self._candidates(known) if query else np.zeros(0, dtype=np.intp)
        if not len(candidates):
            return candidates, np.zeros(0)
        query_weight = self._weight(query)
        # The weight each example shares with the message: its words' weights summed over
        # their postings (an example holds a word once, so no index repeats within one).
        overlap = np.zeros(len(self.examples))
        for word in known:
            ids = self.postings.get(word)
            if ids is not None:
                overlap[ids] += self.weights[word]
        shared = overlap[candidates]
        beta2 = self.settings.beta**2
        precision, recall = shared / query_weight, shared / self.example_weight[candidates]
        # F-beta: beta > 1 favours covering an example over explaining every word of a
        # long message ("getting ready for ml interviews, where should i focus").
        f = (1 + beta2) * precision * recall / (beta2 * precision + recall)
        # Sharing only common words ("what", "ml") is weak evidence, however well it covers.
        return candidates, f * np.minimum(1.0, shared / self.settings.min_evidence)


def ranked(intents: Sequence[str], present: np.ndarray, scores: np.ndarray) -> list[Candidate]:
    """Candidates for the intents `present`, highest score first (ties in `intents` order)."""
    at = np.flatnonzero(present)
    order = at[np.argsort(-scores[at], kind="stable")]
    chosen = scores[order].tolist()
    return [Candidate(intents[i], s) for i, s in zip(order.tolist(), chosen, strict=True)]


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
