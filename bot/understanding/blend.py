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
        self.informative = kb.settings.informative_weight
        self.long = float(kb.settings.long_message)
        training = [(e.intent, e.utterance.content) for e in examples if e.utterance.content]
        self.model: IntentClassifier | None = load_or_train(training) if self.weight else None

    def rank(self, utterance: Utterance) -> list[Candidate]:
        """Every intent either part scores, highest blended score first."""
        nearest = self.nearest.rank(utterance)
        if self.model is None:
            return nearest
        # Slots alone ("<level> <market>") are the dialogue's to read, not the model's: it
        # learned nothing from them but the priors.
        # Nor is a message without one informative word ("qwxz vbnm", "how"): the model would
        # still spread its certainty over intents from pieces of words that say nothing.
        words = utterance.content
        weights, bar = self.nearest.weights, self.informative
        if not any(weights.get(w, 0.0) >= bar for w in words if w not in PLACEHOLDERS):
            return nearest
        near = {c.intent: c.score for c in nearest}
        learned = self.model.posterior(words)
        # Short messages lean on the nearest examples, long ones on the model: a model that
        # learned from long real messages reads "salary question for senior" as off topic
        # from one word ("question") that long off-topic messages use.
        w = self.weight * min(1.0, len(words) / self.long)
        blended = {
            i: (1 - w) * near.get(i, 0.0) + w * learned.get(i, 0.0) for i in {*near, *learned}
        }
        return sorted((Candidate(i, s) for i, s in blended.items()), key=lambda c: -c.score)
