"""The conditions the policy's rules and the registry's `unlikely_when` name: facts about a message
and its conversation, each computed here under the name `bot.knowledge.registry.CONDITIONS`
documents (a test keeps the two lists equal). Pure functions of a `Case`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from bot.domain import Context, Profile, Query
from bot.knowledge.model import KnowledgeBase
from bot.knowledge.registry import AnswerSpec, IntentSpec
from bot.understanding import plan_items, statements
from bot.understanding.language import says_exactly
from bot.understanding.reading import Phrases
from bot.understanding.scope import Scope
from bot.understanding.scoring import Candidate
from bot.understanding.slots import Extraction


@dataclass
class Facts:
    """What conditions read about one message: its phrases, scores and scope, the conversation
    it belongs to, and (lazily) what takes more work to tell. `rest_score` scores what is left of
    a statement about oneself."""

    kb: KnowledgeBase
    phrases: Phrases
    candidates: tuple[Candidate, ...]  # the (at most three) best plausible readings, best first
    scope: Scope
    rest_score: Callable[[Phrases], tuple[float, bool]]
    slots: Extraction  # the message's slots, as the rules so far left them
    profile: Profile = field(default_factory=lambda: Profile(0))
    context: Context | None = None  # the conversation's thread, when still fresh
    recognised: bool = False  # a plan item or company level changed the reading

    @property
    def best(self) -> Candidate:
        """The best plausible reading (the fallback, sure, when there is none)."""
        return self.candidates[0] if self.candidates else Candidate(self.kb.fallback, 1.0)

    @property
    def second(self) -> Candidate:
        """The runner-up (the fallback at 0 when there is none)."""
        return self.candidates[1] if len(self.candidates) > 1 else Candidate(self.kb.fallback, 0)

    @cached_property
    def rest(self) -> tuple[float, bool]:
        """(how well what is left of a statement about oneself reads as a question, whether
        that rest is long)."""
        return self.rest_score(self.phrases)

    @cached_property
    def text(self) -> str:
        """The message as written."""
        return self.phrases.utterance.text


@dataclass(frozen=True)
class Case:
    """The facts, with the reading judged so far: an intent, its score or confidence, and (after
    the slots are resolved) its query."""

    facts: Facts
    intent: IntentSpec | None = None
    score: float = 0.0
    query: Query | None = None


def _slots(c: Case) -> Extraction:
    return c.facts.slots


def _bar(c: Case) -> float:
    """The score a best reading needs: lower for a long message clearly about careers."""
    f, s = c.facts, c.facts.kb.settings
    long = len(f.phrases.utterance.content) >= s.long_message
    return s.long_threshold if f.scope.clearly_ours and long else s.threshold


def _close_second(c: Case) -> bool:
    f, s = c.facts, c.facts.kb.settings
    return f.second.score >= s.threshold and f.best.score - f.second.score < s.margin


def _goal_beyond_entry(c: Case) -> bool:
    slots, kb = _slots(c), c.facts.kb
    rank = kb.levels[slots.level].rank if slots.level else -1
    return bool(slots.title) or rank >= kb.settings.goal_rank


def _names_own_plan_item(c: Case) -> bool:
    level = c.facts.profile.level
    own = c.facts.kb.plans.get(level) if level else None
    return bool(own and plan_items.read_ticks(own, c.facts.text, c.facts.kb))


def _move_from_entry(c: Case) -> bool:
    entry = c.facts.kb.level_by_rank(0)
    q = c.query
    return entry is not None and q is not None and entry.id in (q.level, q.from_level)


CONDITIONS: dict[str, Callable[[Case], bool]] = {
    # -- the form of the message
    "question": lambda c: c.facts.phrases.question,
    "asks_for_more": lambda c: says_exactly(
        c.facts.phrases.utterance.text, c.facts.kb.lexicon.more
    ),
    "slot_only": lambda c: c.facts.phrases.slot_only and not c.facts.recognised,
    "first_person": lambda c: _slots(c).first_person,
    "reports_on_self": lambda c: c.facts.phrases.reports_on_self,
    "claims": lambda c: statements.claims(c.facts.text, c.facts.kb.lexicon.statements),
    "negated": lambda c: statements.negated(c.facts.text, c.facts.kb.lexicon.statements),
    "dated_level": lambda c: c.facts.phrases.dated_level,
    "acknowledgement": lambda c: says_exactly(
        c.facts.text, c.facts.kb.lexicon.questions.acknowledgements
    ),
    # -- slots
    "level_stated": lambda c: (
        bool(_slots(c).level or _slots(c).own_level) or _slots(c).years is not None
    ),
    "speaker_involved": lambda c: (
        bool(_slots(c).own_level or _slots(c).first_person) or _slots(c).years is not None
    ),
    "about_self": lambda c: (
        bool(_slots(c).own_level or _slots(c).own_title) or _slots(c).years is not None
    ),
    "own_level": lambda c: _slots(c).own_level is not None,
    "own_market": lambda c: _slots(c).own_market,
    "others_levels_only": lambda c: _slots(c).others_only,
    "market_named": lambda c: _slots(c).market is not None,
    "level_named": lambda c: _slots(c).level is not None,
    "levels_named": lambda c: bool(_slots(c).level or _slots(c).from_level),
    "level_or_own_named": lambda c: bool(_slots(c).level or _slots(c).own_level),
    "level_mentioned": lambda c: bool(_slots(c).mentioned),
    "years": lambda c: _slots(c).years is not None,
    "next_level": lambda c: _slots(c).next_level,
    "names_a_move": lambda c: _slots(c).transition,
    "comparison": lambda c: _slots(c).comparison,
    "goal_beyond_entry": _goal_beyond_entry,
    "names_plan_item": lambda c: c.facts.phrases.plan_item,
    "company_level": lambda c: bool(c.facts.phrases.ladder and c.facts.phrases.ladder.code),
    "company_named": lambda c: bool(c.facts.phrases.ladder and not c.facts.phrases.ladder.code),
    "company_rungs": lambda c: bool(c.facts.phrases.ladder and c.facts.phrases.ladder.rungs),
    # -- scores and scope
    "clears_threshold": lambda c: c.facts.best.score >= c.facts.kb.settings.threshold,
    "weak_match": lambda c: c.facts.best.score < _bar(c),
    "close_second": _close_second,
    "weak_statement": lambda c: c.score < c.facts.kb.settings.statement_bar,
    "weak_reading": lambda c: c.score < c.facts.kb.settings.ladder_bar,
    "long_story": lambda c: c.facts.rest[1],
    "plain_statement": lambda c: (
        c.facts.rest[0] < c.facts.kb.settings.statement_bar and not c.facts.rest[1]
    ),
    "off_topic_words": lambda c: not (c.facts.scope.clearly_ours or c.facts.scope.in_scope),
    "foreign_subject": lambda c: not c.facts.scope.clearly_ours and c.facts.scope.foreign,
    # -- the conversation
    "asked_for_level": lambda c: bool(c.facts.context and c.facts.context.pending),
    "names_own_plan_item": _names_own_plan_item,
    "move_from_entry": _move_from_entry,
}


def _attribute(name: str) -> Callable[[Case], bool]:
    """`intent.ATTR`, `best.ATTR`, `second.ATTR` or `context.ATTR`: an attribute of that
    intent's registry entry, true, or equal to VALUE in `...ATTR=VALUE`."""
    owner, _, rest = name.partition(".")
    attribute, _, wanted = rest.partition("=")

    def spec_of(c: Case) -> IntentSpec | None:
        if owner == "intent":
            return c.intent
        if owner in ("best", "second"):
            return c.facts.kb.intents[getattr(c.facts, owner).intent]
        # The thread of the conversation, if fresh.
        ctx = c.facts.context
        if ctx is None:
            return None
        # A thread from an older version names an intent the registry no longer has: it is
        # followed like any topic.
        return c.facts.kb.intents.get(ctx.intent) or _DEFAULT

    def test(c: Case) -> bool:
        spec = spec_of(c)
        if spec is None:
            return False
        value = getattr(spec, attribute)
        return str(value) == wanted if wanted else bool(value)

    return test


# The attributes an intent has when its entry says nothing.
_DEFAULT = IntentSpec("", (), AnswerSpec("topic", ""))


def holds(conditions: tuple[str, ...], case: Case) -> bool:
    """Whether every condition holds ("not NAME" holds when NAME does not)."""
    # By identity: the tuples are the knowledge base's own, and hashing a tuple costs more
    # than the test it looks up. The tuple is kept with its test (alive, so its id is never
    # reused); one entry per rule of every knowledge base loaded, a few dozen each.
    known = _COMPILED.get(id(conditions))
    if known is None or known[0] is not conditions:
        known = _COMPILED[id(conditions)] = (conditions, compiled(conditions))
    return known[1](case)


def compiled(conditions: tuple[str, ...]) -> Callable[[Case], bool]:
    """`holds` for these conditions, parsed once: rules are run for every candidate reading of
    every message, and of every suggestion label (some eighty times a message)."""
    tests = tuple(_compile(c) for c in conditions)

    def check(case: Case) -> bool:
        for test, negated in tests:  # noqa: SIM110 (a loop is faster than all() over a generator)
            if test(case) == negated:
                return False
        return True

    return check


def _compile(condition: str) -> tuple[Callable[[Case], bool], bool]:
    """A condition's test and whether it is negated."""
    negated = condition.startswith("not ")
    name = condition[4:] if negated else condition
    return CONDITIONS.get(name) or _attribute(name), negated


_COMPILED: dict[int, tuple[tuple[str, ...], Callable[[Case], bool]]] = {}
