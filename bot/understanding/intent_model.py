"""Which intent do a message's words point at, taken together? A naive Bayes model over the
example phrasings, used to break near-ties between the best-matching single examples."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable


class IntentModel:
    """Posterior probability of each intent given a message's content words."""

    def __init__(self, examples: Iterable[tuple[str, Iterable[str]]], smoothing: float = 1.0):
        """Train from (intent, content words) pairs; `smoothing` is Laplace's alpha."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for intent, words in examples:
            counts[intent].update(set(words))
        vocabulary = {w for c in counts.values() for w in c}
        self.log_p: dict[str, dict[str, float]] = {}
        self.log_unseen: dict[str, float] = {}
        for intent, c in counts.items():
            denominator = math.log(sum(c.values()) + smoothing * len(vocabulary))
            self.log_p[intent] = {w: math.log(n + smoothing) - denominator for w, n in c.items()}
            self.log_unseen[intent] = math.log(smoothing) - denominator

    def posterior(self, words: Iterable[str]) -> dict[str, float]:
        """P(intent | words) with equal priors; empty for no words."""
        distinct = set(words)
        if not distinct:
            return {}
        scores = {
            intent: sum(table.get(w, self.log_unseen[intent]) for w in distinct)
            for intent, table in self.log_p.items()
        }
        top = max(scores.values())
        exp = {intent: math.exp(s - top) for intent, s in scores.items()}
        total = sum(exp.values())
        return {intent: e / total for intent, e in exp.items()}
