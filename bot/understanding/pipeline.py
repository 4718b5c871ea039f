"""Understanding a message, as named stages in one place:

normalise -> spell -> find phrases -> score intents -> scope -> apply the dialogue context ->
decide (the policy of knowledge/policy.yaml) -> resolve the slots (dialogue) -> settle.

Each stage is a method returning a typed result, testable alone. Scoring is a seam: any
`ScorerFactory` (bot.understanding.scoring) can replace the blend of nearest examples and a
linear model (bot.understanding.blend).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain import Context, Profile
from bot.knowledge.model import KnowledgeBase
from bot.understanding import dialogue
from bot.understanding.blend import BlendScorer
from bot.understanding.classifier import cache_dir
from bot.understanding.conditions import Case, Facts, holds
from bot.understanding.decision import Decider, Decision, plausible
from bot.understanding.dialogue import Said, Turn
from bot.understanding.language import BOUNDARY, Normalised, normalise, tokens
from bot.understanding.phrases import PhraseMap
from bot.understanding.prepared import read_all
from bot.understanding.reading import PhraseFinder, Phrases
from bot.understanding.scope import Scope, ScopeModel, ScopeReader
from bot.understanding.scoring import (
    PLACEHOLDERS,
    Candidate,
    Example,
    ScorerFactory,
    Utterance,
    words_only,
)
from bot.understanding.spelling import Canon, Spelled, Speller, dictionary


@dataclass(frozen=True)
class Reading:
    """A message read without its conversation: phrases, scores and scope."""

    phrases: Phrases
    ranked: tuple[Candidate, ...]  # the scorer's ranking, best first
    scope: Scope


class Pipeline:
    """Reads messages for one knowledge base; `scorer` builds the intent scorer (the seam)."""

    def __init__(self, kb: KnowledgeBase, scorer: ScorerFactory = BlendScorer) -> None:
        self.kb = kb
        self.settings = kb.settings
        self.stopwords = frozenset(kb.stopwords) | {BOUNDARY}
        synonym_map = {v: canon for canon, variants in kb.synonyms.items() for v in variants}
        synonyms = PhraseMap(synonym_map)
        frequency: Counter[str] = Counter()
        texts = knowledge_texts(kb)
        for phrase in [*synonym_map, *kb.synonyms, *_aliases(kb), *texts]:
            frequency.update(tokens(phrase))
        for spec in kb.intents.values():
            for example in spec.examples:
                frequency.update(tokens(example))
        # Real words are left alone unless very close: "prom" is not "promo", "poland" is not
        # "portland".
        english = dictionary(kb.lexicon.dictionary, self.settings.dictionary_min_count)
        speller = Speller(
            set(frequency) | self.stopwords, self.settings, kb.lexicon.suffixes, english, frequency
        )
        self.canon = Canon(speller, synonyms)
        self.finder = PhraseFinder(kb, self.canon, self.stopwords)
        phrasings = [text for spec in kb.intents.values() for text in spec.examples]
        read = read_all(
            kb, [*phrasings, *(m.text for m in kb.messages), *texts], self.prepare, cache_dir()
        )
        examples = [
            Example(spec.id, read[text]) for spec in kb.intents.values() for text in spec.examples
        ]
        # A message read once, however many intents its label accepts.
        messages = [
            Example(intent, read[m.text], message=True) for m in kb.messages for intent in m.intents
        ]
        self.scorer = scorer(kb, examples + messages)
        # Scope learns from the same phrasings as the scorer, real messages included (one count
        # per intent a message's label accepts, as the scorer counts them; counting each once
        # did about as well on the tuning sets): real near misses ("data engineering pay in
        # Manchester", "cyclic features in a neural net") and real stories teach it words the
        # team's examples never use.
        self.scope_reader = ScopeReader(
            self._scope_model(examples + messages, [read[text].content for text in texts]),
            (tuple(w for w in self.canon.words(p) if w not in self.stopwords)
             for p in kb.domain_words),
            self.settings,
        )  # fmt: skip
        self.decider = Decider(kb, self.finder.ladders)

    def prepare(self, text: str) -> Utterance:
        """An example phrasing (or any phrase) read the way messages are, up to scoring."""
        words = self.canon.words(text)
        masked = self.finder.extractor.extract(words).tokens
        content = tuple(w for w in masked if w not in self.stopwords)
        return Utterance(text, tuple(words), tuple(masked), content)

    def _scope_model(
        self, examples: Iterable[Example], knowledge: list[tuple[str, ...]]
    ) -> ScopeModel:
        fallback = self.kb.fallback
        contents = [(e.intent, e.utterance.content) for e in examples if e.utterance.content]
        in_scope: list[Iterable[str]] = [c for intent, c in contents if intent != fallback]
        # The knowledge base's own texts teach the scope model the domain's vocabulary
        # ("kubernetes", "stakeholders") beyond the example phrasings.
        in_scope += knowledge
        off_topic = [c for intent, c in contents if intent == fallback]
        return ScopeModel(
            in_scope, off_topic, self.settings.unknown_evidence, self.kb.lexicon.function_words
        )

    # -- the stages ------------------------------------------------------------------------
    def normalise(self, text: str) -> Normalised:
        """Stage 1: case, punctuation, control characters; at most `max_chars` are read."""
        return normalise(text, self.settings.max_chars, self.kb.lexicon.arrow)

    def spell(self, normalised: Normalised) -> Spelled:
        """Stage 2: typos corrected, synonyms made canonical."""
        return self.canon.spell(normalised)

    def find_phrases(self, spelled: Spelled, company: str | None = None) -> Phrases:
        """Stage 3: slots, titles, company levels, plan items, the speaker's situation."""
        return self.finder.find(spelled, company)

    def score(self, phrases: Phrases) -> tuple[Candidate, ...]:
        """Stage 4: the intents ranked by the scorer."""
        return tuple(self.scorer.rank(phrases.utterance))

    def scope(self, phrases: Phrases) -> Scope:
        """Stage 5: whether the message is about ML-engineering careers at all."""
        ladder = phrases.ladder
        return self.scope_reader.read(phrases.utterance.content, bool(ladder and ladder.code))

    def read(self, text: str, company: str | None = None) -> Reading:
        """Stages 1 to 5: the message read without its conversation."""
        phrases = self.find_phrases(self.spell(self.normalise(text)), company)
        return Reading(phrases, self.score(phrases), self.scope(phrases))

    def in_context(
        self, reading: Reading, profile: Profile, context: Context | None = None
    ) -> Facts:
        """Stage 6: the facts the policy decides on, with the conversation (`context`, fresh);
        readings an intent's own rules rule out are dropped."""
        facts = Facts(
            self.kb,
            reading.phrases,
            reading.ranked,
            reading.scope,
            self._rest_score,
            reading.phrases.slots,
            profile,
            context,
        )
        facts.candidates = plausible(facts, list(reading.ranked))
        return facts

    def decide(self, facts: Facts) -> Decision:
        """Stage 7: the policy's read, recognise and follow rules."""
        return self.decider.decide(facts, ("read", "recognise", "follow"))

    def match(self, text: str, company: str | None = None) -> Decision:
        """A message's decision with no conversation and an empty profile."""
        return self.decide(self.in_context(self.read(text, company), Profile(0)))

    def understand(
        self, text: str, profile: Profile, context: Context | None, now: datetime
    ) -> Turn:
        """Every stage: the query to answer, the profile and the thread it leaves."""
        fresh = context if context and context.fresh(now) else None
        return self.resolve(
            self.read(text, fresh.company if fresh else None), profile, context, now
        )

    def resolve(
        self, reading: Reading, profile: Profile, context: Context | None, now: datetime
    ) -> Turn:
        """Stages 6 to 9 for a message already read."""
        fresh = context if context and context.fresh(now) else None
        facts = self.in_context(reading, profile, fresh)
        decision = self.decide(facts)
        turn = dialogue.resolve(self.kb, Said(decision, reading.phrases), profile, context, now)
        turn = self._settle(facts, turn)
        return dialogue.thread(self.kb, turn, context, now)

    def _settle(self, facts: Facts, turn: Turn) -> Turn:
        """Stage 9: the settle rules, on the resolved query and the profile it leaves."""
        facts.profile = turn.profile
        case = Case(facts, self.kb.intents[turn.query.intent], turn.confidence, turn.query)
        for rule in self.kb.policy.rules("settle"):
            if holds(rule.conditions, case):
                if rule.then in (turn.query.intent, "keep"):
                    return turn
                settled = dialogue.settled(self.kb, turn, rule.then, rule.effect)
                if settled.said is not None:
                    before = settled.said.decision
                    reasons = (*before.reasons, rule.why)
                    decision = replace(before, intent=rule.then, reasons=reasons)
                    settled = replace(settled, said=replace(settled.said, decision=decision))
                return settled
        return turn

    def _rest_score(self, phrases: Phrases) -> tuple[float, bool]:
        """How well what is left of a statement about oneself matches an intent that asks
        something (0 if nothing), and whether what is left is long."""
        content = phrases.utterance.content
        statement = self.kb.lexicon.statements.statement_words
        rest = [w for w in content if w not in statement and w not in PLACEHOLDERS]
        # "hello, i am working 1 year as an mle": a greeting around a statement is still one.
        ranked = self.scorer.rank(words_only(rest)) if rest else []
        scores = [c for c in ranked if self.kb.intents[c.intent].asks]
        return (scores[0].score if scores else 0.0), len(rest) >= self.settings.long_rest


def _aliases(kb: KnowledgeBase) -> list[str]:
    aliases = [a for lv in kb.levels.values() for a in lv.aliases]
    aliases += [a for m in kb.markets.values() for a in m.aliases]
    return aliases + [a for t in kb.titles.values() for a in t.aliases]


def knowledge_texts(kb: KnowledgeBase) -> list[str]:
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
