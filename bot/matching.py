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
FOLLOWUP_WORDS = frozenset(
    {"and", "what", "whats", "about", "how", "then", "ok", "okay", "so", "same", "there", "for",
     "me", "it", "like", "that", "instead", "one", "if", "in", "at", "now", "too", "also", "same",
     "hmm", "right", "oh", "cool", "thanks"}
)  # fmt: skip
# Words of a statement about oneself ("i have been a senior for 3 years now"); what is left once
# they are removed tells whether the message also asks something.
STATEMENT_WORDS = frozenset(
    {"i", "am", "im", "have", "ive", "been", "my", "me", "as", "now", "currently", "here",
     "based", "working", "work", "live", "living", "located", "years", "year", "yoe", "yrs",
     "experience", "exp", "level", "title", "just", "got", "promoted", "a", "an", "mle", "ml",
     "engineer", "doing", "job", "role", "position", "btw", "actually", "still", "already",
     "first", "since", "started", "over", "about", "around", "almost", "nearly", "roughly",
     "moved", "relocated", "from", "in", "at", "out", "of", "the", "for", "officially", "new"}
)  # fmt: skip
# Intents that never compete with a question for "did you mean".
_NOT_CLARIFIED = frozenset({"greeting", "set_level", "set_market", OUT_OF_SCOPE})
# Words that open a question; a clause starting with one makes the message a question.
QUESTION_WORDS = frozenset(
    {"what", "whats", "how", "why", "when", "where", "which", "who", "should", "can", "could",
     "would", "will", "do", "does", "did", "is", "are", "any", "tell", "give", "show", "duration"}
)  # fmt: skip
# A masked slot says little about the intent: most intents take a level or a market.
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
    question: bool = False


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
        in_scope: set[str] = set()
        for phrase in [*synonym_map, *kb.synonyms, *aliases, *_knowledge_texts(kb)]:
            in_scope.update(tokens(phrase))
        off_topic: set[str] = set()
        for spec in kb.intents.values():
            for example in spec.examples:
                (off_topic if spec.id == OUT_OF_SCOPE else in_scope).update(tokens(example))
        self.speller = Speller(in_scope | off_topic | self.stopwords)
        canonical = {a: tuple(self.synonyms.apply(tokens(a))) for a in aliases}
        self.extractor = SlotExtractor(kb, canonical, self.stopwords)
        # Words of out-of-scope examples that in-scope questions also use ("become", "salary")
        # frame a question; words only off-topic examples use ("doctor") are foreign to the domain.
        in_scope = {w for phrase in in_scope for w in self.canonical(phrase)}
        off_topic = {w for phrase in off_topic for w in self.canonical(phrase)}
        self.domain = frozenset(in_scope - off_topic - self.stopwords)
        self.foreign = frozenset(off_topic - in_scope - self.stopwords)
        self._build_index()

    # -- building --------------------------------------------------------------------------
    def canonical(self, text: str) -> list[str]:
        """Tokens with typos corrected and synonyms replaced by their canonical words."""
        return self.synonyms.apply([self.speller.correct(w) for w in tokens(text)])

    def _content(self, words: Iterable[str]) -> list[str]:
        return [w for w in words if w not in self.stopwords]

    def _build_index(self) -> None:
        examples: list[tuple[str, frozenset[str]]] = []
        self.example_texts: list[str] = []
        for spec in self.kb.intents.values():
            for text in spec.examples:
                content = frozenset(self._content(self.extractor.extract(self.canonical(text)).tokens))
                if content:
                    examples.append((spec.id, content))
                    self.example_texts.append(text)
        intents_with: dict[str, set[str]] = defaultdict(set)
        for intent, content in examples:
            for word in content:
                intents_with[word].add(intent)
        n_intents = max(1, len(self.kb.intents))
        self.weights = {w: math.log(1 + n_intents / len(ids)) for w, ids in intents_with.items()}
        for placeholder in PLACEHOLDERS:
            self.weights[placeholder] = _PLACEHOLDER_WEIGHT
        self.unknown_weight = self.settings.unknown_weight
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
        words = self.canonical(text)
        slots = self.extractor.extract(words)
        content = self._content(slots.tokens)
        question = "?" in text or any(
            w in QUESTION_WORDS and (i == 0 or words[i - 1] == BOUNDARY) for i, w in enumerate(words)
        )
        candidates = self.score(content)
        has_slot = bool(slots.level or slots.from_level or slots.market or slots.own_level)
        has_slot = has_slot or slots.years is not None
        bare = [w for w in content if w not in PLACEHOLDERS and w not in FOLLOWUP_WORDS]
        slot_only = has_slot and not bare
        best = candidates[0] if candidates else Candidate(OUT_OF_SCOPE, 0.0)
        second = candidates[1] if len(candidates) > 1 else Candidate(OUT_OF_SCOPE, 0.0)
        threshold, margin = self.settings.threshold, self.settings.margin
        intent, ambiguous = best.intent, None
        own = slots.own_level or slots.own_market or slots.years is not None
        if own and not question and self._only_a_statement(content):
            intent = "set_market" if slots.own_market and not slots.own_level else "set_level"
            if intent == "set_level" and not (slots.own_level or slots.years is not None):
                intent = best.intent
        elif best.score < threshold or self.off_topic(content, slots):
            intent = OUT_OF_SCOPE
        elif (
            second.score >= threshold
            and best.score - second.score < margin
            and best.intent not in _NOT_CLARIFIED
            and second.intent not in _NOT_CLARIFIED
        ):
            ambiguous = (best.intent, second.intent)
        return Match(
            intent, best.score, candidates[:3], slots, ambiguous, slot_only, content, question
        )

    def _only_a_statement(self, content: Sequence[str]) -> bool:
        """True when, without the words of a statement about oneself, nothing asks anything."""
        rest = [w for w in content if w not in STATEMENT_WORDS and w not in PLACEHOLDERS]
        if not rest:
            return True
        scores = self.score(rest)
        return not scores or scores[0].score < self.settings.threshold

    def off_topic(self, content: Sequence[str], slots: Extraction | None = None) -> bool:
        """A message about something else: foreign or unknown words and no word of the domain.

        A level word next to a foreign one ("staff nurse", "school principal") is not evidence.
        """
        foreign = {i for i, w in enumerate(content) if w in self.foreign or self._unknown(w)}
        if not foreign:
            return False
        if any(w in self.domain for w in content):
            return False
        for i, w in enumerate(content):
            if w == LEVEL and (i - 1) not in foreign and (i + 1) not in foreign:
                return False
        return True

    def _unknown(self, word: str) -> bool:
        return word not in self.weights and not self.speller.known(word) and not word[0].isdigit()

    def explain(self, text: str) -> list[tuple[str, float, str]]:
        """(intent, score, best example) for the top candidates: for tuning the examples."""
        content = self._content(self.extractor.extract(self.canonical(text)).tokens)
        best_example: dict[str, tuple[float, str]] = {}
        for i, f in self._example_scores(content).items():
            intent = self.examples[i][0]
            if f > best_example.get(intent, (0.0, ""))[0]:
                best_example[intent] = (f, self.example_texts[i])
        ranked = sorted(best_example.items(), key=lambda kv: -kv[1][0])
        return [(intent, f, example) for intent, (f, example) in ranked[:5]]

    def score(self, content: Sequence[str]) -> list[Candidate]:
        """Best example score per intent, highest first (weighted token F-beta)."""
        best: dict[str, float] = {}
        for i, f in self._example_scores(content).items():
            intent = self.examples[i][0]
            if f > best.get(intent, 0.0):
                best[intent] = f
        return sorted((Candidate(i, s) for i, s in best.items()), key=lambda c: -c.score)

    def _example_scores(self, content: Sequence[str]) -> dict[int, float]:
        query = frozenset(content)
        if not query:
            return {}
        query_weight = self._weight(query)
        overlap: dict[int, float] = defaultdict(float)
        for word in query:
            weight = self.weights.get(word)
            if weight is None:
                continue
            for i in self.index.get(word, ()):
                overlap[i] += weight
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


def _knowledge_texts(kb: KnowledgeBase) -> list[str]:
    """Every text of the knowledge base: its words belong to the domain."""
    texts = [lv.name for lv in kb.levels.values()]
    for level in kb.levels.values():
        for group in (level.titles, level.responsibilities, level.technical_skills,
                      level.soft_skills, level.focus, level.learning):  # fmt: skip
            texts += [item.text for item in group]
    for step in kb.transitions.values():
        for group in (step.focus, step.skills_to_add, step.soft_skills, step.interviews,
                      step.how_to_advance):  # fmt: skip
            texts += [item.text for item in group]
    for topic in kb.topics.values():
        texts.append(topic.title)
        texts += [item.text for section in topic.sections for item in section.items]
    return texts
