"""Which intent do a message's words point at, taken together? A naive Bayes model over the
example phrasings, used to break near-ties between the best-matching single examples."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy as np


class IntentModel:
    """Posterior probability of each intent given a message's content words."""

    def __init__(self, examples: Iterable[tuple[str, Iterable[str]]], smoothing: float = 1.0):
        """Train from (intent, content words) pairs; `smoothing` is Laplace's alpha."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for intent, words in examples:
            counts[intent].update(set(words))
        vocabulary = {w for c in counts.values() for w in c}
        self.intents = list(counts)
        self.columns = {w: i for i, w in enumerate(sorted(vocabulary))}
        # log P(word | intent), one row per word: a message's score is a sum of its rows.
        self.log_p = np.empty((len(self.columns), len(self.intents)))
        self.log_unseen = np.empty(len(self.intents))
        for j, c in enumerate(counts.values()):
            denominator = math.log(sum(c.values()) + smoothing * len(vocabulary))
            self.log_unseen[j] = math.log(smoothing) - denominator
            self.log_p[:, j] = self.log_unseen[j]
            for w, n in c.items():
                self.log_p[self.columns[w], j] = math.log(n + smoothing) - denominator

    def posterior(self, words: Iterable[str]) -> dict[str, float]:
        """P(intent | words) with equal priors; empty for no words."""
        p = self.probabilities(words)
        return {} if p is None else dict(zip(self.intents, p.tolist(), strict=True))

    def probabilities(self, words: Iterable[str]) -> np.ndarray | None:
        """P(intent | words) in the order of `intents`; None for no words."""
        distinct = set(words)
        if not distinct:
            return None
        rows = [self.columns[w] for w in distinct if w in self.columns]
        scores = self.log_p[rows].sum(axis=0) + (len(distinct) - len(rows)) * self.log_unseen
        exp: np.ndarray = np.exp(scores - scores.max())
        exp /= exp.sum()
        return exp
