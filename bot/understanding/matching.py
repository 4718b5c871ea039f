"""Intent matching: canonicalise a message, extract slots, score it against intent examples."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from bot.knowledge import readings
from bot.knowledge.model import KnowledgeBase
from bot.understanding import statements
from bot.understanding.intent_model import IntentModel
from bot.understanding.ladders import LadderFinder, LadderMention
from bot.understanding.language import PhraseMap, Speller, english_words, tokens
from bot.understanding.scope import ScopeModel
from bot.understanding.situation import Situation, SituationReader
from bot.understanding.slots import (
    BOUNDARY,
    LEVEL,
    MARKET,
    NEXT_LEVEL_WORDS,
    TIME,
    YEARS,
    Extraction,
    SlotExtractor,
)

OUT_OF_SCOPE = "out_of_scope"
PLACEHOLDERS = frozenset({LEVEL, MARKET, YEARS, TIME})
# Words that, with nothing else, make a message a follow-up on slots ("and for staff?").
FOLLOWUP_WORDS = frozenset(
    {"and", "what", "whats", "about", "how", "then", "ok", "okay", "so", "same", "there", "for",
     "me", "it", "like", "that", "instead", "one", "if", "in", "at", "now", "too", "also",
     "hmm", "right", "oh", "cool", "thanks", "move", "moving", "moved", "relocate", "back",
     "i", "were"}
)  # fmt: skip
# Words of a statement about oneself ("i have been a senior for 3 years now"); what is left once
# they are removed tells whether the message also asks something.
STATEMENT_WORDS = frozenset(
    {"i", "am", "im", "have", "ive", "been", "my", "me", "as", "now", "currently", "here",
     "based", "working", "work", "live", "living", "located", "years", "year", "yoe", "yrs",
     "experience", "exp", "level", "title", "just", "got", "promoted", "a", "an", "mle", "ml",
     "engineer", "doing", "job", "role", "position", "btw", "actually", "still", "already",
     "first", "since", "started", "over", "about", "around", "almost", "nearly", "roughly",
     "moved", "relocated", "from", "in", "at", "out", "of", "the", "for", "officially", "new",
     "oops", "sorry", "meant", "mean", "correction", "wait", "no", "typo", "rather", "make", "that"}
)  # fmt: skip
# Statements that stay what they are even when they name plan items ("I feel stuck though I
# mentor juniors").
_KEEP_ON_NEWS = frozenset({"stuck", "switch_company", "ic_vs_management", "forget", "nudges",
                           "plan", "help"})  # fmt: skip
# Readings of a bare statement of one's level, which a date turns into news for the plan.
_LEVEL_STATEMENTS = frozenset({"set_level", "greeting", "small_talk", "level_overview",
                               OUT_OF_SCOPE})  # fmt: skip
# Readings that a company level ("L5 at Google") replaces with the level translator; a pay or
# interview question about the level stays one ("amazon L7 pay in seattle").
_BETWEEN_TWO = frozenset({"promotion", "timeline", "compare_levels", "accelerate"})
_ABOUT_THE_LADDER = frozenset({"level_mapping", "set_level", "level_overview", "compare_levels",
                               "role", "help", "greeting", "small_talk", OUT_OF_SCOPE})  # fmt: skip
# Words that may come before a question's first word ("and what about staff").
_OPENERS = frozenset({"and", "so", "ok", "okay", "but", "then", "hey", "hi", "also", "now"})
# One's level named without naming it ("been at my current level for 2 years").
_OWN_LEVEL = re.compile(r"\b(?:my|this|current) (?:current )?(?:level|title|grade)\b")
# A question word followed by an auxiliary anywhere makes a question ("my model overfits, what
# do i do").
_INNER_QUESTION = re.compile(
    r"\b(?:what|how|why|where|which|when)\s+(?:do|does|did|should|can|could|would|to|is|are)\b"
)
# Statements without "I" that report something done ("started mentoring a junior").
_STARTS_WITH_ACTION = re.compile(
    r"^(?:(?:update|fyi|btw|ok|so|also|finally|still|just|now|and)\W+)*"
    r"(?:started|did|gave|wrote|built|shipped|led|set up|ran|mentored|been \w+ing|got|passed|"
    r"onboarded|published|presented|finished|completed|no |never |haven't|havent|didnt|didn't)\b"
)
# What is left of a statement about oneself that does not make it a question.
_NOT_A_QUESTION = frozenset({OUT_OF_SCOPE, "greeting", "small_talk"})
# Intents about one level that a "from X to Y" question is not about.
_ABOUT_ONE_LEVEL = frozenset({"skills", "level_overview", "next_steps", "set_level"})
# Intents that never compete with a question for "did you mean".
_NOT_CLARIFIED = frozenset({"greeting", "small_talk", "set_level", "set_market", OUT_OF_SCOPE})
# Words that open a question; a clause starting with one makes the message a question.
QUESTION_WORDS = frozenset(
    {"what", "whats", "how", "why", "when", "where", "which", "who", "should", "can", "could",
     "would", "will", "do", "does", "did", "is", "are", "am", "were", "any", "tell", "give", "show",
     "duration"}
)  # fmt: skip
# Scope evidence this strong makes a message a career question even when a word of it is
# foreign ("the PIP after a reorg") or, for a long message, when no example matches it well.
CLEARLY_IN_SCOPE = 3.0
LONG_MESSAGE = 6
# Below this, another reading of a message naming a company level gives way to the translator
# ("I have an offer for Meta E4, what's that in your levels").
LADDER_BAR = 0.55
LONG_THRESHOLD = 0.25
# Words weighing at least this (roughly: most of their examples are one intent's) find the
# candidate examples for a message.
_INFORMATIVE = 1.0
_COMMON_POSTINGS = 150
_MAX_POSTINGS = 300
# Word weights (see _word_weights): a floor, and how many examples make a word trustworthy.
_MIN_WEIGHT = 0.2
_SUPPORT_SCALE = 2.0
# What is left of a statement about oneself must match an intent this well to count as a question
# ("i'm mid and i feel stuck" does; "i'm a senior mle at a fintech" does not).
STATEMENT_BAR = 0.5
_LONG_REST = 6
# Scope evidence at or below this marks a word that off-topic examples use and career questions
# do not ("accountant", "snow"): about two out-of-scope examples' worth.
_FOREIGN = -2.0
# A word no example uses weighs like a word that three or four intents share.
_UNKNOWN_WEIGHT = 1.0
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
    ladder: LadderMention | None = None
    situation: Situation = field(default_factory=Situation)


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
        aliases += [a for t in kb.titles.values() for a in t.aliases]
        frequency: Counter[str] = Counter()
        for phrase in [*synonym_map, *kb.synonyms, *aliases, *_knowledge_texts(kb)]:
            frequency.update(tokens(phrase))
        for spec in kb.intents.values():
            for example in spec.examples:
                frequency.update(tokens(example))
        # Real English words are left alone: "prom" is not "promo", "poland" is not "portland".
        self.speller = Speller(
            set(frequency) | self.stopwords, dictionary=english_words(), frequency=frequency
        )
        canonical = {a: tuple(self.synonyms.apply(tokens(a))) for a in aliases}
        self.extractor = SlotExtractor(kb, canonical, self.stopwords)
        # The language file's phrases are spelled right: synonyms only, no typo correction.
        self.situation = SituationReader(kb.lexicon, lambda t: self.synonyms.apply(tokens(t)))
        entry = kb.level_by_rank(0)
        self._entry = entry.id if entry else None
        self.ladders = LadderFinder(kb.ladders, self.canonical)
        # Plan item aliases ("kubernetes", "gave a talk") by first word: a statement about
        # oneself that names one whole is news for the plan.
        self._plan_aliases: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for p in kb.plans.values():
            for item in p.items:
                for alias in item.aliases:
                    parts = tuple(
                        w[:-1] if len(w) > 3 and w.endswith("s") else w
                        for w in self.canonical(alias)
                    )
                    if parts:
                        self._plan_aliases[parts[0]].add(parts)
        self._beyond_entry = frozenset(lv.id for lv in kb.levels.values() if lv.rank >= 2)
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
                content = frozenset(
                    self._content(self.extractor.extract(self.canonical(text)).tokens)
                )
                if content:
                    examples.append((spec.id, content))
                    self.example_texts.append(text)
        self.weights = _word_weights(examples, len(self.kb.intents))
        for placeholder in PLACEHOLDERS:
            self.weights[placeholder] = _PLACEHOLDER_WEIGHT
        in_scope: list[Iterable[str]] = [c for intent, c in examples if intent != OUT_OF_SCOPE]
        # The knowledge base's own texts teach the scope model the domain's vocabulary
        # ("kubernetes", "stakeholders") beyond the example phrasings.
        for text in _knowledge_texts(self.kb):
            in_scope.append(self._content(self.extractor.extract(self.canonical(text)).tokens))
        off_topic = [c for intent, c in examples if intent == OUT_OF_SCOPE]
        self.scope = ScopeModel(in_scope, off_topic, self.settings.unknown_evidence)
        # Whole phrases: "ml job" anchors a message, "job" alone ("a barista job") does not.
        self.anchors: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for phrase in self.kb.domain_words:
            words = tuple(w for w in self.canonical(phrase) if w not in self.stopwords)
            if words:
                self.anchors[words[0]].append(words)
        self.examples = [(intent, content, self._weight(content)) for intent, content in examples]
        self.intent_model = IntentModel(
            (intent, [w for w in content if w not in PLACEHOLDERS]) for intent, content in examples
        )
        index: dict[str, list[int]] = defaultdict(list)
        for i, (_, content, _) in enumerate(self.examples):
            for word in content:
                index[word].append(i)
        self.index = dict(index)

    def _weight(self, words: Iterable[str]) -> float:
        return sum(self.weights.get(w, _UNKNOWN_WEIGHT) for w in words)

    # -- matching --------------------------------------------------------------------------
    def match(self, text: str, company: str | None = None) -> Match:
        """Match a message to an intent, with slots, candidates and a confidence; `company` is
        the big-tech company the conversation is about, if any ("and L6?")."""
        words = self.canonical(text)
        slots = self.extractor.extract(words)
        situation = self.situation.read(words, slots.tokens)
        slots = self._with_situation(slots, situation, words)
        content = self._content(slots.tokens)
        question = (
            "?" in text
            or any(
                w in QUESTION_WORDS
                and (i == 0 or words[i - 1] == BOUNDARY or (i == 1 and words[0] in _OPENERS))
                for i, w in enumerate(words)
            )
            or bool(_INNER_QUESTION.search(" ".join(words)))
        )
        candidates = self._plausible(self.score(content), slots, question)
        has_slot = bool(slots.level or slots.from_level or slots.market or slots.own_level)
        has_slot = has_slot or slots.years is not None
        bare = [w for w in content if w not in PLACEHOLDERS and w not in FOLLOWUP_WORDS]
        if slots.next_level:
            # "and the level above?": a level, named relative to the one discussed.
            bare = [w for w in bare if w not in NEXT_LEVEL_WORDS]
            has_slot = True
        # "and in london?", or "whats it like there": nothing but slots and follow-up words.
        slot_only = bool(content) and not bare and (has_slot or "there" in content)
        ladder = self.ladders.find(words, company)
        # A company level ("microsoft 62") anchors a message in the domain.
        anchored = bool(ladder and ladder.code)
        intent, confidence, ambiguous = self._decide(candidates, slots, content, question, anchored)
        if not question and self._plan_news(text, words, slots, intent):
            # "I already know docker", "senior since 2023": news for the user's plan; a level
            # with a date is the speaker's own.
            if statements.states_time_at_level(text) and slots.level and not slots.own_level:
                slots = replace(slots, own_level=slots.level)
            return Match("plan", max(confidence, 0.5), candidates[:3], slots, None, False,
                         content, question, situation=situation)  # fmt: skip
        weak = confidence < LADDER_BAR
        if ladder and ladder.code and (intent in _ABOUT_THE_LADDER or (weak and ladder.rungs)):
            # A company level ("L5 at Google") is a question for the translator, whatever else
            # the words resemble; stated as one's own, it also sets the level.
            level = ladder.level
            own = level if ladder.own and level else slots.own_level
            slots = replace(slots, level=level or slots.level, own_level=own)
            return Match("level_mapping", 1.0, candidates[:3], slots, None, False, content,
                         question, ladder, situation)  # fmt: skip
        if ladder and not ladder.code and slots.level and intent in _ABOUT_THE_LADDER:
            # "what's mid level at microsoft": this bot's level, asked about at a company.
            return Match("level_mapping", max(confidence, 0.5), candidates[:3], slots, None,
                         False, content, question, ladder, situation)  # fmt: skip
        if ladder and ladder.level and not slots.level:
            # "amazon L7 pay in seattle": a pay question about the level L7 stands for; "i'm L4,
            # how do i get to L5": a move between the two.
            slots = self._ladder_slots(slots, words, ladder, intent)
        return Match(
            intent,
            confidence,
            candidates[:3],
            slots,
            ambiguous,
            slot_only,
            content,
            question,
            ladder if intent == "level_mapping" else None,
            situation,
        )

    def _with_situation(
        self, slots: Extraction, situation: Situation, words: Sequence[str]
    ) -> Extraction:
        """The speaker's own level in the light of their situation: someone else's level is not
        theirs; someone coming from another field, or not in ML yet, is aspiring whatever their
        years there; a title whose level depends on the company decides nothing."""
        own, position = slots.own_level, slots.own_position
        if position is not None and position in situation.others | situation.other_fields:
            # Someone else's level, or a level in another field ("principal data scientist").
            own, position = None, None
        says_ml = position is not None and slots.tokens[position + 1 : position + 2] in (
            ["mle"],
            ["ml"],
        )
        if situation.not_in_ml or (situation.background and not says_ml):
            # Coming from another field: only a statement in the first person says so plainly
            # ("I'm a data scientist"); a headline ("going from researcher to DS") only hints.
            own = self._entry if situation.not_in_ml or situation.stated or own else None
        elif slots.title and slots.own_title and not says_ml:
            # "lead of a 3-person team, 4 years in" reads as mid; "tech lead at a startup" is
            # asked about (None).
            # Only years or a team's size tell which; "on my team" alone does not.
            title = self.kb.titles[slots.title]
            known = slots.years is not None or readings.team_size(words) is not None
            own = readings.level_for_title(self.kb, title, words, slots.years) if known else None
        levels = slots.level_positions
        others_only = bool(levels) and all(
            p in situation.others | situation.other_fields for p in levels
        )
        return replace(slots, own_level=own, own_position=position, others_only=others_only)

    def _ladder_slots(
        self, slots: Extraction, words: Sequence[str], ladder: LadderMention, intent: str
    ) -> Extraction:
        """The levels company codes stand for, as slots: two of them, for a move or a
        comparison, are its two ends; otherwise the first one named counts."""
        levels = [m.level for m in self.ladders.codes(words, ladder.company) if m.level]
        own = ladder.level if ladder.own else slots.own_level
        ranked = sorted(set(levels), key=lambda lv: self.kb.levels[lv].rank)
        if len(ranked) > 1 and intent in _BETWEEN_TWO:
            return replace(slots, level=ranked[-1], from_level=ranked[0], own_level=own)
        return replace(slots, level=ladder.level, own_level=own)

    def _plan_news(self, text: str, words: Sequence[str], slots: Extraction, intent: str) -> bool:
        """Things on a plan the speaker has or lacks, or a dated time at a level."""
        if intent in _KEEP_ON_NEWS:
            return False
        if (slots.mentioned or _OWN_LEVEL.search(text.lower())) and statements.states_time_at_level(
            text
        ):
            # "senior since 2023" alone; with a complaint or a question it stays that.
            return intent in _LEVEL_STATEMENTS or (
                intent == "promotion" and not statements.negated(text)
            )
        if slots.own_level or slots.years is not None or not statements.claims(text):
            # A statement of one's level stays one ("im a student studying stats").
            return False
        if not slots.first_person and not _STARTS_WITH_ACTION.match(text.lower()):
            return False
        return self._names_plan_item(words)

    def _names_plan_item(self, words: Sequence[str]) -> bool:
        """A plan item's alias appears whole, in order, among the words."""
        singular = [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words]
        for i, w in enumerate(singular):
            for parts in self._plan_aliases.get(w, ()):
                if tuple(singular[i : i + len(parts)]) == parts:
                    return True
        return False

    def _plausible(
        self, candidates: list[Candidate], slots: Extraction, question: bool
    ) -> list[Candidate]:
        """Drop readings the slots or the form of the message rule out."""
        years = slots.years is not None
        stated = slots.level or slots.own_level or years
        out = []
        for c in candidates:
            # An intent that changes what is stored needs a clear match.
            if c.score < self.kb.intents[c.intent].min_score:
                continue
            # A question is not a statement about oneself ("ive done the basics as a junior,
            # what comes after"), though it may contain one.
            if question and c.intent in ("set_level", "set_market"):
                continue
            # Deleting everything is never a side reading of "actually i'm mid, forgot one job".
            if c.intent == "forget" and stated:
                continue
            # A level update that names no level ("ml") is only plausible when it says so clearly,
            # and one that is not about the speaker ("staff lvl expectations") is not one.
            if c.intent == "set_level" and not stated and c.score < STATEMENT_BAR:
                continue
            if c.intent == "set_level" and not (slots.own_level or slots.first_person or years):
                continue
            # Someone else's level is no statement of one's own ("I work with a principal").
            if c.intent == "set_level" and slots.others_only and not slots.own_level:
                continue
            # A move with no place named, beside a level that is named, is no market update
            # ("i'm a mid level mle, review cycle kicks off next month").
            if c.intent == "set_market" and not slots.market and stated:
                continue
            # Getting into the field is not the question when the goal is a level above it
            # ("how can i become an ml tech lead", "how long to become mid").
            if c.intent == "getting_started" and (slots.level in self._beyond_entry or slots.title):
                continue
            out.append(c)
        return out

    def _decide(
        self,
        candidates: list[Candidate],
        slots: Extraction,
        content: list[str],
        question: bool,
        anchored: bool = False,
    ) -> tuple[str, float, tuple[str, str] | None]:
        """(intent, confidence, the two intents to ask about when they are too close)."""
        best = candidates[0] if candidates else Candidate(OUT_OF_SCOPE, 1.0)
        second = candidates[1] if len(candidates) > 1 else Candidate(OUT_OF_SCOPE, 0.0)
        threshold = self.settings.threshold
        if best.intent == OUT_OF_SCOPE and slots.years is not None and not slots.mentioned:
            # "a teacher for 12 years": years of something else are not a level.
            return OUT_OF_SCOPE, best.score, None
        about_self = slots.own_level or slots.own_title or slots.years is not None
        if (about_self or slots.own_market) and not question:
            residual, long_rest = self._residual_score(content)
            # A long story around the statement asks or tells something else ("...every promo
            # cycle i get nothing", "losing motivation as a DS at a bank..."): it is never a
            # plain statement of one's level, even when no intent matches it well.
            if residual < STATEMENT_BAR and not long_rest:
                if about_self:
                    return "set_level", 1.0 - residual / 2, None
                return "set_market", 1.0 - residual / 2, None
        moved = slots.transition and best.intent in _ABOUT_ONE_LEVEL
        if moved and (question or best.intent != "set_level") and best.score >= threshold:
            # "whats needed to go from mid to staff" asks about the move, not about staff.
            return "promotion", best.score, None
        if best.intent == OUT_OF_SCOPE:
            return OUT_OF_SCOPE, best.score, None
        odds = self.scope.log_odds(content)
        # A long message full of the domain's words ("...my promo packet, calibration and
        # skip-level...") matches no single example well, yet is clearly a career question.
        clearly_ours = anchored or odds >= CLEARLY_IN_SCOPE
        bar = LONG_THRESHOLD if clearly_ours and len(content) >= LONG_MESSAGE else threshold
        if (
            best.score < bar
            or not (clearly_ours or self.in_scope(content, odds))
            or (not clearly_ours and self.about_something_else(content))
        ):
            return OUT_OF_SCOPE, 1.0 - best.score, None
        close = second.score >= threshold and best.score - second.score < self.settings.margin
        if close and best.intent not in _NOT_CLARIFIED and second.intent not in _NOT_CLARIFIED:
            return best.intent, best.score, (best.intent, second.intent)
        return best.intent, best.score, None

    def _residual_score(self, content: Sequence[str]) -> tuple[float, bool]:
        """How well what is left of a statement about oneself matches an in-scope intent
        (0 if nothing), and whether what is left is long."""
        rest = [w for w in content if w not in STATEMENT_WORDS and w not in PLACEHOLDERS]
        # "hello, i am working 1 year as an mle": a greeting around a statement is still one.
        scores = [c for c in self.score(rest) if c.intent not in _NOT_A_QUESTION] if rest else []
        return (scores[0].score if scores else 0.0), len(rest) >= _LONG_REST

    def about_something_else(self, content: Sequence[str]) -> bool:
        """Words only off-topic examples use, and nothing anchoring the message in the domain.

        "my car is stuck in the snow", "junior accountant salary": the career words ("stuck",
        "salary") are there, but the subject is something else. A level word right next to a
        foreign word ("senior prom", "staff sergeant") does not anchor the message.
        """
        foreign = {i for i, w in enumerate(content) if self.scope.word_evidence(w) <= _FOREIGN}
        if not foreign:
            return False
        if self.anchored(content):
            return False
        for i, word in enumerate(content):
            if word == LEVEL and (i - 1) not in foreign and (i + 1) not in foreign:
                return False
        return True

    def anchored(self, content: Sequence[str]) -> bool:
        """Whether a phrase of the domain ("ml", "big tech", "pytorch") is among the words."""
        return any(
            tuple(content[i : i + len(phrase)]) == phrase
            for i, word in enumerate(content)
            for phrase in self.anchors.get(word, ())
        )

    def in_scope(self, content: Sequence[str], odds: float | None = None) -> bool:
        """Whether the words of a message are about ML-engineering careers (scope model).

        A level together with a word of the domain ("does a junior mle need cuda") settles it.
        """
        if LEVEL in content and self.anchored(content):
            return True
        if odds is None:
            odds = self.scope.log_odds(content)
        return odds >= self.settings.scope_bias

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
        """Best example score per intent (weighted token F-beta), nudged by how strongly all
        the words together point at the intent; highest first."""
        best: dict[str, float] = {}
        for i, f in self._example_scores(content).items():
            intent = self.examples[i][0]
            if f > best.get(intent, 0.0):
                best[intent] = f
        weight = self.settings.bayes_weight
        if weight and best:
            posterior = self.intent_model.posterior(w for w in content if w not in PLACEHOLDERS)
            best = {
                i: min(1.0, max(0.0, s + weight * (posterior.get(i, 0.0) - 0.5)))
                for i, s in best.items()
            }
        return sorted((Candidate(i, s) for i, s in best.items()), key=lambda c: -c.score)

    def _example_scores(self, content: Sequence[str]) -> dict[int, float]:
        query = frozenset(content)
        if not query:
            return {}
        query_weight = self._weight(query)
        known = [w for w in query if w in self.weights]
        # Candidates come from the query's informative words and its two weightiest ones:
        # walking the postings of words hundreds of examples use ("how", "mle") costs most of
        # the time and rarely decides anything, but "salary" in "what does a junior earn"
        # must always be walked, however many examples use it.
        walkable = [w for w in known if len(self.index[w]) <= _MAX_POSTINGS]
        heaviest = sorted(walkable, key=lambda w: -self.weights[w])[:2]
        informative = {
            w for w in known
            if self.weights[w] >= _INFORMATIVE and len(self.index[w]) <= _COMMON_POSTINGS
        } | set(heaviest)  # fmt: skip
        if not informative and known:
            informative = {min(known, key=lambda w: len(self.index[w]))}
        candidates: set[int] = set()
        for word in informative:
            candidates.update(self.index.get(word, ()))
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


def _word_weights(examples: list[tuple[str, frozenset[str]]], n_intents: int) -> dict[str, float]:
    """How strongly each word points at one intent.

    A word's weight grows with the share of its examples that belong to its most frequent
    intent (concentration) and with how many examples use it (support): "salary" in sixty pay
    examples weighs a lot, "what" everywhere little, and "normal" in a single example only a
    little, however rare it is.
    """
    per_word: dict[str, Counter[str]] = defaultdict(Counter)
    off_topic: Counter[str] = Counter()
    for intent, content in examples:
        for word in content:
            # Career words in off-topic examples ("nurse salary") must not dilute how strongly
            # "salary" points at pay: off-topic examples only weigh words of their own.
            if intent == OUT_OF_SCOPE:
                off_topic[word] += 1
            else:
                per_word[word][intent] += 1
    for word, count in off_topic.items():
        if word not in per_word:
            per_word[word][OUT_OF_SCOPE] = count
    top = math.log(1 + max(n_intents, 1))
    weights = {}
    for word, counts in per_word.items():
        total = sum(counts.values())
        concentration = max(counts.values()) / total
        support = 1 - math.exp(-total / _SUPPORT_SCALE)
        weights[word] = _MIN_WEIGHT + top * concentration * support
    return weights


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
