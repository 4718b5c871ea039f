"""Is a message about ML-engineering careers at all? A naive Bayes model over example words.

Each word's evidence is how much more often it appears in in-scope examples than in out-of-scope
ones (a log-likelihood ratio, smoothed); the examples are the intents' phrasings and the real
messages of knowledge/messages/. Words the bot has never seen count as mild evidence of
something else: a message about pancakes is mostly words no career question uses.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.knowledge.registry import MatchSettings
from bot.understanding.scoring import LEVEL


class ScopeModel:
    """Log-odds that a message (its content tokens) is in scope."""

    def __init__(
        self,
        in_scope: Iterable[Iterable[str]],
        out_of_scope: Iterable[Iterable[str]],
        unknown_evidence: float,
        function_words: frozenset[str],
        smoothing: float = 0.5,
    ) -> None:
        """Train from the content tokens of in-scope and out-of-scope examples; `function_words`
        (pronouns, auxiliaries, question words) say how something is asked, not what about, and
        are left out of the odds."""
        self.function_words = function_words
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
        return sum(self.word_evidence(w) for w in set(words) if w not in self.function_words)


@dataclass(frozen=True)
class Scope:
    """The scope stage's result: is the message about ML-engineering careers at all?"""

    odds: float  # the scope model's log-odds
    clearly_ours: bool  # a company level, or evidence of at least `clearly_in_scope`
    in_scope: bool  # the words are about the domain (scope model, or a level with a domain word)
    foreign: bool  # words only off-topic examples use, and nothing anchoring it in the domain


class ScopeReader:
    """Reads a message's scope from its content words, with the model and the domain's phrases."""

    def __init__(
        self, model: ScopeModel, anchors: Iterable[tuple[str, ...]], settings: MatchSettings
    ) -> None:
        self.model = model
        self.settings = settings
        # Whole phrases: "ml job" anchors a message, "job" alone ("a barista job") does not.
        self.anchors: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for words in anchors:
            if words:
                self.anchors[words[0]].append(words)

    def read(self, content: Sequence[str], company_level: bool) -> Scope:
        """The scope stage; a company level ("microsoft 62") anchors a message in the domain."""
        odds = self.model.log_odds(content)
        clearly_ours = company_level or odds >= self.settings.clearly_in_scope
        return Scope(odds, clearly_ours, self.in_scope(content, odds), self.foreign(content))

    def foreign(self, content: Sequence[str]) -> bool:
        """Words only off-topic examples use, and nothing anchoring the message in the domain.

        "my car is stuck in the snow", "junior accountant salary": the career words ("stuck",
        "salary") are there, but the subject is something else. A level word right next to a
        foreign word ("senior prom", "staff sergeant") does not anchor the message.
        """
        bar = self.settings.foreign_evidence
        foreign = {i for i, w in enumerate(content) if self.model.word_evidence(w) <= bar}
        if not foreign or self.anchored(content):
            return False
        return not any(
            word == LEVEL and (i - 1) not in foreign and (i + 1) not in foreign
            for i, word in enumerate(content)
        )

    def anchored(self, content: Sequence[str]) -> bool:
        """Whether a phrase of the domain ("ml", "big tech", "pytorch") is among the words."""
        return any(
            tuple(content[i : i + len(phrase)]) == phrase
            for i, word in enumerate(content)
            for phrase in self.anchors.get(word, ())
        )

    def in_scope(self, content: Sequence[str], odds: float) -> bool:
        """Whether the words are about ML-engineering careers (scope model); a level together
        with a word of the domain ("does a junior mle need cuda") settles it."""
        if LEVEL in content and self.anchored(content):
            return True
        return odds >= self.settings.scope_bias
