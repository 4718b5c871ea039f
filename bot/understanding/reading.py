"""The find-phrases stage: what a message names (levels, markets, years, titles, company levels,
plan items, the speaker's situation) and its form (a question, a statement, slots alone)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.knowledge import readings
from bot.knowledge.lexicon import alternation
from bot.knowledge.model import KnowledgeBase
from bot.understanding import statements
from bot.understanding.ladders import LadderFinder, LadderMention
from bot.understanding.language import BOUNDARY, tokens
from bot.understanding.scoring import PLACEHOLDERS, Utterance
from bot.understanding.situation import Situation, SituationReader
from bot.understanding.slots import Extraction, SlotExtractor
from bot.understanding.spelling import Canon, Spelled


@dataclass(frozen=True)
class Phrases:
    """What a message names and its form: the result of the find-phrases stage."""

    utterance: Utterance
    slots: Extraction
    situation: Situation
    ladder: LadderMention | None  # a company level ("L5 at Google") or company named
    question: bool  # asks something
    slot_only: bool  # slots and follow-up words only ("and in london?")
    reports_on_self: bool  # a first-person word, or a report of something done ("gave a talk")
    dated_level: bool  # a level (or "my level") with a date: "senior since 2023"
    plan_item: bool  # names a plan item whole ("kubernetes", "gave a talk")


class PhraseFinder:
    """Finds slots, situations, company levels and plan items in canonical words."""

    def __init__(self, kb: KnowledgeBase, canon: Canon, stopwords: frozenset[str]) -> None:
        self.kb = kb
        self.stopwords = stopwords
        aliases = [a for lv in kb.levels.values() for a in lv.aliases]
        aliases += [a for m in kb.markets.values() for a in m.aliases]
        aliases += [a for t in kb.titles.values() for a in t.aliases]
        canonical = {a: tuple(canon.synonyms.apply(tokens(a))) for a in aliases}
        self.extractor = SlotExtractor(kb, canonical, stopwords)
        # The language file's phrases are spelled right: synonyms only, no typo correction.
        self.situation = SituationReader(kb.lexicon, lambda t: canon.synonyms.apply(tokens(t)))
        self.ladders = LadderFinder(kb.ladders, kb.lexicon.ladders, canon.words)
        q, st = kb.lexicon.questions, kb.lexicon.statements
        self.questions = q
        self.statements = st
        # Either order: "my model overfits, what do i do", and "senior at amazon is which L
        # number", a question word after its verb.
        words, auxiliaries = (
            alternation(q.inner_question_words),
            alternation(q.inner_question_auxiliaries),
        )
        self._inner_question = re.compile(
            rf"\b(?:(?:{words})\s+(?:{auxiliaries})|(?:{auxiliaries})\s+(?:{words}))\b"
        )
        self._reports = re.compile(
            rf"^(?:(?:{alternation(st.report_openers)})\W+)*(?:{alternation(st.report_verbs)})\b"
        )
        self._ml_words = kb.lexicon.situation.ml_words
        entry = kb.level_by_rank(0)
        self._entry = entry.id if entry else None
        # Plan item aliases ("kubernetes", "gave a talk") by first word: a statement about
        # oneself that names one whole is news for the plan.
        self._plan_aliases: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for p in kb.plans.values():
            for item in p.items:
                for alias in item.aliases:
                    parts = tuple(_singular(w) for w in canon.words(alias))
                    if parts:
                        self._plan_aliases[parts[0]].add(parts)

    def find(self, spelled: Spelled, company: str | None = None) -> Phrases:
        """The find-phrases stage; `company` is the big-tech company the conversation is about,
        if any ("and L6?")."""
        words = list(spelled.words)
        text = spelled.text
        slots = self.extractor.extract(words)
        situation = self.situation.read(words, slots.tokens)
        slots = self._with_situation(slots, situation, words)
        content = tuple(w for w in slots.tokens if w not in self.stopwords)
        lowered = text.lower()
        return Phrases(
            utterance=Utterance(text, tuple(words), tuple(slots.tokens), content),
            slots=slots,
            situation=situation,
            ladder=self.ladders.find(words, company),
            question=self._asks(text, words),
            slot_only=self._slot_only(slots, content),
            reports_on_self=slots.first_person or bool(self._reports.match(lowered)),
            dated_level=bool(slots.mentioned or self.statements.own_level_phrase.search(lowered))
            and statements.states_time_at_level(text, self.statements),
            plan_item=self._names_plan_item(words),
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
        after = tuple(slots.tokens[position + 1 : position + 2]) if position is not None else ()
        says_ml = after in self._ml_words
        if situation.not_in_ml or (situation.background and not says_ml):
            # Coming from another field: only a statement in the first person says so plainly
            # ("I'm a data scientist"); a headline ("going from researcher to DS") only hints.
            own = self._entry if situation.not_in_ml or situation.stated or own else None
        elif slots.title and slots.own_title and not says_ml:
            # "lead of a 3-person team, 4 years in" reads as mid; "tech lead at a startup" is
            # asked about (None). Only years or a team's size tell which; "on my team" alone
            # does not.
            title = self.kb.titles[slots.title]
            known = (
                slots.years is not None
                or readings.team_size(words, self.kb.lexicon.teams) is not None
            )
            own = readings.level_for_title(self.kb, title, words, slots.years) if known else None
        levels = slots.level_positions
        others_only = bool(levels) and all(
            p in situation.others | situation.other_fields for p in levels
        )
        return replace(slots, own_level=own, own_position=position, others_only=others_only)

    def _asks(self, text: str, words: Sequence[str]) -> bool:
        """A question mark, a question word opening a clause, or one with an auxiliary."""
        q = self.questions
        return (
            "?" in text
            or any(
                w in q.question_words
                and (i == 0 or words[i - 1] == BOUNDARY or (i == 1 and words[0] in q.openers))
                for i, w in enumerate(words)
            )
            or bool(self._inner_question.search(" ".join(words)))
        )

    def _slot_only(self, slots: Extraction, content: Sequence[str]) -> bool:
        """ "and in london?", or "whats it like there": nothing but slots and follow-up words."""
        q = self.questions
        has_slot = bool(slots.level or slots.from_level or slots.market or slots.own_level)
        has_slot = has_slot or slots.years is not None
        bare = [w for w in content if w not in PLACEHOLDERS and w not in q.followup_words]
        if slots.next_level:
            # "and the level above?": a level, named relative to the one discussed.
            bare = [w for w in bare if w not in self.extractor.next_level_words]
            has_slot = True
        there = any(w in q.place_back_references for w in content)
        return bool(content) and not bare and (has_slot or there)

    def _names_plan_item(self, words: Sequence[str]) -> bool:
        """A plan item's alias appears whole, in order, among the words."""
        singular = [_singular(w) for w in words]
        for i, w in enumerate(singular):
            for parts in self._plan_aliases.get(w, ()):
                if tuple(singular[i : i + len(parts)]) == parts:
                    return True
        return False


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word
