"""The intent scorer the bot uses: nearest-example matching blended with a linear model.

Nearest examples (`ExampleScorer`) know the phrasings they were given, word for word, and stay
exact on short questions ("senior pay in london"). The linear model (`IntentClassifier`) weighs
all the words of a message together, learned from every example and from real people's
messages, which long, situated messages need. Each intent's score is a weighted mean of the
two, `classifier_weight` being the model's share (knowledge/intents.yaml).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.knowledge.model import KnowledgeBase
from bot.understanding.classifier import IntentClassifier, load_or_train
from bot.understanding.scoring import PLACEHOLDERS, Candidate, Example, ExampleScorer, Utterance


class BlendScorer:
    """Ranks intents by (1 - w) * nearest-example score + w * P(intent | words)."""

    def __init__(self, kb: KnowledgeBase, examples: Sequence[Example]) -> None:
        self.nearest = ExampleScorer(kb, examples)
        self.weight = kb.settings.classifier_weight
        training = [(e.intent, e.utterance.content) for e in examples if e.utterance.content]
        self.model: IntentClassifier | None = load_or_train(training) if self.weight else None

    def rank(self, utterance: Utterance) -> list[Candidate]:
        """Every intent either part scores, highest blended score first."""
        near = {c.intent: c.score for c in self.nearest.rank(utterance)}
        if self.model is None:
            return [Candidate(i, s) for i, s in near.items()]
        # Slots alone ("<level> <market>") are the dialogue's to read, not the model's: it
        # learned nothing from them but the priors.
        words = utterance.content
        if not any(w not in PLACEHOLDERS for w in words):
            return [Candidate(i, s) for i, s in near.items()]
        learned = self.model.posterior(words)
        w = self.weight
        blended = {
            i: (1 - w) * near.get(i, 0.0) + w * learned.get(i, 0.0) for i in {*near, *learned}
        }
        return sorted((Candidate(i, s) for i, s in blended.items()), key=lambda c: -c.score)
