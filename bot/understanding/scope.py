"""Is a message about ML-engineering careers at all? A naive Bayes model over example words.

Each word's evidence is how much more often it appears in in-scope examples than in out-of-scope
ones (a log-likelihood ratio, smoothed). Words the bot has never seen count as mild evidence of
something else: a message about pancakes is mostly words no career question uses.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

# Pronouns, auxiliaries and question words say how something is asked, not what about: career
# examples use "i" and "should" more than off-topic ones, which must not make "should i leave
# my nursing job" look like a career question.
FUNCTION_WORDS = frozenset(
    {"i", "me", "my", "mine", "myself", "you", "your", "we", "our", "us", "he", "she", "his",
     "her", "they", "them", "their", "it", "how", "what", "whats", "why", "when", "where",
     "which", "who", "do", "does", "did", "should", "can", "could", "would", "will", "have",
     "has", "had", "want", "wants", "get", "one", "any", "some", "there", "here", "not", "dont"}
)  # fmt: skip


class ScopeModel:
    """Log-odds that a message (its content tokens) is in scope."""

    def __init__(
        self,
        in_scope: Iterable[Iterable[str]],
        out_of_scope: Iterable[Iterable[str]],
        unknown_evidence: float,
        smoothing: float = 0.5,
    ) -> None:
        """Train from the content tokens of in-scope and out-of-scope examples."""
        inside: Counter[str] = Counter()
        outside: Counter[str] = Counter()
        n_in = n_out = 0
        for words in in_scope:
            inside.update(set(words))
            n_in += 1
        for words in out_of_scope:
            outside.update(set(words))
            n_out += 1
        n_in, n_out = max(n_in, 1), max(n_out, 1)
        # Per-example document frequencies, so both classes are on the same scale whatever
        # their number of examples.
        self.evidence = {
            word: math.log((inside[word] + smoothing) / n_in)
            - math.log((outside[word] + smoothing) / n_out)
            for word in inside.keys() | outside.keys()
        }
        self.unknown_evidence = -abs(unknown_evidence)

    def word_evidence(self, word: str) -> float:
        """Evidence of one word (positive: in scope)."""
        return self.evidence.get(word, self.unknown_evidence)

    def log_odds(self, words: Sequence[str]) -> float:
        """Summed evidence of the distinct words of a message, function words left out."""
        return sum(self.word_evidence(w) for w in set(words) if w not in FUNCTION_WORDS)
