"""Dialogue state applied to a decision: the stored profile and the conversation's thread fill the
slots a message leaves out, by the slot rules of its intent's registry entry (`slots.levels`):

- `one`: the level named, else relative ("the next level"), else the user's own for a personal
  intent, else the thread's when the message goes on with it, else the user's own;
- `move`: the two ends of a move (timeline, promotion), from the message, the thread or the
  user's own level;
- `pair`: two levels to compare;
- `company`: the level a company level names (the translator), the thread's when none is named;
- `profile`: a statement about oneself, answered with the profile it leaves;
- `none`: no slots, and nothing said changes what is remembered.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain import Context, Profile, Query
from bot.knowledge.model import KnowledgeBase
from bot.understanding.decision import Decision
from bot.understanding.ladders import LadderMention
from bot.understanding.reading import Phrases
from bot.understanding.slots import Extraction


@dataclass(frozen=True)
class Turn:
    """The outcome of one message: the query to answer and the state to remember."""

    query: Query
    confidence: float
    profile: Profile
    context: Context | None
    clarify: tuple[str, ...] = ()
    needs_level: bool = False
    ladder: LadderMention | None = None
    said: Said | None = None  # what the message said, when the turn answers one

    @property
    def words(self) -> tuple[str, ...]:
        """The message's canonical content words (none for a pressed button)."""
        return self.said.phrases.utterance.content if self.said else ()


@dataclass(frozen=True)
class Said:
    """What a message says, as the dialogue reads it: its decision and phrases."""

    decision: Decision
    phrases: Phrases

    @property
    def slots(self) -> Extraction:
        """The message's slots after the policy's effects."""
        return self.decision.slots

    @property
    def slot_only(self) -> bool:
        """Slots and follow-up words only, not recognised as something else ("and for staff?")."""
        return self.phrases.slot_only and not self.decision.recognised


def resolve(
    kb: KnowledgeBase, said: Said, profile: Profile, context: Context | None, now: datetime
) -> Turn:
    """Combine a decision with the profile and the conversation into the query to answer."""
    decision, slots = said.decision, said.slots
    ctx = context if context and context.fresh(now) else None
    intent = decision.intent
    spec = kb.intents[intent]
    if spec.states == "level" and not slots.own_level:
        # "8 years as an ml engineer now", or "mid" when asked for a level: a statement about
        # oneself without "I".
        stated = slots.level or (
            kb.level_for_years(slots.years) if slots.years is not None else None
        )
        slots = replace(slots, own_level=stated)
    if spec.slots.levels == "none":
        # Nothing said off topic changes what the bot remembers ("a chef for 15 years").
        return Turn(Query(intent), decision.confidence, profile, context, said=said)
    profile = _updated(kb, said, slots, profile, spec.states)
    if spec.slots.levels == "profile":
        return _statement(kb, said, profile, ctx, now)
    if spec.slots.levels == "company":
        return _translated(said, profile, ctx, now)
    query = _fill(kb, intent, said, slots, profile, ctx)
    return Turn(query, decision.confidence, profile, None, decision.clarify, said=said)


def thread(kb: KnowledgeBase, turn: Turn, context: Context | None, now: datetime) -> Turn:
    """The turn with the thread it leaves: a personal question without a level asks for it; a
    topical answer becomes the thread; other answers leave the thread as it was."""
    if turn.context is not None:
        return turn
    query = turn.query
    spec = kb.intents[query.intent]
    if spec.slots.needs_level and query.level is None:
        asked = Context(query.intent, None, None, query.market, query.intent, now)
        return replace(turn, context=asked, needs_level=True)
    if not spec.topical:
        return replace(turn, context=context)
    # Even when asking "did you mean", the levels and market discussed stay the thread.
    ctx = Context(query.intent, query.level, query.from_level, query.market, None, now)
    return replace(turn, context=ctx)


def settled(kb: KnowledgeBase, turn: Turn, intent: str, effect: str | None) -> Turn:
    """The turn once the settle stage read it as `intent` (its thread made afresh)."""
    query = turn.query
    if effect == "entry_level":
        entry = kb.level_by_rank(0)
        query = Query(intent, entry.id if entry else None, None, query.market)
    else:
        query = replace(query, intent=intent)
    return replace(turn, query=query, context=None, needs_level=False, ladder=None)


def _updated(
    kb: KnowledgeBase, said: Said, slots: Extraction, profile: Profile, states: str | None
) -> Profile:
    """The profile with what the message says about the speaker: their own level (someone
    coming from another field is aspiring, with that background; a level in ML leaves the
    background behind) and the place named in a statement about oneself."""
    if slots.own_level:
        entry = kb.level_by_rank(0)
        moving_in = entry is not None and slots.own_level == entry.id
        background = said.phrases.situation.background if moving_in else None
        profile = replace(
            profile,
            level=slots.own_level,
            background=background or (profile.background if moving_in else None),
        )
    # "set market uk", "i am junior in london": a place named in a statement about oneself.
    stating = states == "market" or (states == "level" and slots.first_person)
    if slots.market and (slots.own_market or stating):
        profile = replace(profile, market=slots.market)
    return profile


def _statement(
    kb: KnowledgeBase, said: Said, profile: Profile, ctx: Context | None, now: datetime
) -> Turn:
    """A statement about oneself: answered with the profile it leaves; the question the bot
    asked before (its level, for a personal question) is answered now."""
    decision = said.decision
    intent = decision.intent
    if ctx and ctx.pending and profile.level:
        query = Query(ctx.pending, level=profile.level, market=ctx.market or profile.market)
        asked = Context(ctx.pending, query.level, None, query.market, None, now)
        return Turn(query, decision.confidence, profile, asked, said=said)
    query = Query(intent, level=profile.level, market=profile.market)
    # The thread goes on: "i moved to toronto" after a pay answer, then "and there?".
    if ctx:
        market = profile.market if kb.intents[intent].states == "market" else ctx.market
        new_ctx = replace(ctx, market=market, at=now)
    else:
        new_ctx = Context(intent, profile.level, None, profile.market, None, now)
    return Turn(query, decision.confidence, profile, new_ctx, said=said)


def _translated(said: Said, profile: Profile, ctx: Context | None, now: datetime) -> Turn:
    """The translator answers about the level named, not about the user's own."""
    decision, slots, ladder = said.decision, said.slots, said.phrases.ladder
    level = slots.level or slots.own_level
    if level is None and ctx and (said.slot_only or not ladder or not ladder.code):
        level = ctx.level  # "that's which level at amazon?" after talking about senior
    query = Query(decision.intent, level, None, None)
    company = ladder.company if ladder else None
    new_ctx = Context(decision.intent, level, None, None, None, now, company)
    return Turn(query, decision.confidence, profile, new_ctx, ladder=ladder, said=said)


def _fill(
    kb: KnowledgeBase,
    intent: str,
    said: Said,
    slots: Extraction,
    profile: Profile,
    ctx: Context | None,
) -> Query:
    rules = kb.intents[intent].slots
    market = (
        (slots.market or (ctx.market if ctx else None) or profile.market) if rules.market else None
    )
    if rules.levels == "move":
        level, from_level = _move(kb, said, slots, profile, ctx)
        return Query(intent, level, from_level, market)
    if rules.levels == "pair":
        level, from_level = _pair(kb, slots, profile, ctx)
        return Query(intent, level, from_level, market)
    return Query(intent, _one(kb, intent, said, slots, profile, ctx), None, market)


def _one(
    kb: KnowledgeBase,
    intent: str,
    said: Said,
    slots: Extraction,
    profile: Profile,
    ctx: Context | None,
) -> str | None:
    """The one level a question is about."""
    rules = kb.intents[intent].slots
    level = slots.level or slots.own_level
    if level is None and slots.next_level:
        level = _next_level(kb, slots, profile, ctx)
    if level is None and rules.needs_level:
        level = profile.level
    if level is None and ctx is not None and ctx.level is not None:
        own = slots.first_person and rules.first_person_is_own  # "what should my salary be"
        # The same topic goes on ("resume for senior roles?" then "should i list kaggle?").
        same_topic = intent == ctx.intent and ctx.level != profile.level and not own
        follow_up = said.slot_only or slots.refers_back or not slots.first_person
        if same_topic or follow_up:
            level = ctx.level
    return level or profile.level


def _next_level(
    kb: KnowledgeBase, slots: Extraction, profile: Profile, ctx: Context | None
) -> str | None:
    """ "the next level": for "I", above the speaker's own; otherwise above the one discussed."""
    mine = profile.level if slots.first_person else None
    current = mine or (ctx.level if ctx else None) or profile.level
    return kb.next_level(current) if current else None


def _move(
    kb: KnowledgeBase, said: Said, slots: Extraction, profile: Profile, ctx: Context | None
) -> tuple[str | None, str | None]:
    """(level moved to, level moved from) for timeline and promotion questions."""
    own = slots.own_level or profile.level
    if slots.level is None and slots.from_level is None:
        if slots.next_level:
            source = own or (ctx.level if ctx else None)
            return (kb.next_level(source), source) if source else (None, None)
        target, source = _thread_move(kb, said, slots, ctx)
    else:
        target, source = slots.level, slots.from_level
    return _complete_move(kb, target, source, own)


def _thread_move(
    kb: KnowledgeBase, said: Said, slots: Extraction, ctx: Context | None
) -> tuple[str | None, str | None]:
    """A move the message names no level of: the thread's ("how long does that take")."""
    if ctx is None:
        return None, None
    if slots.refers_back or said.slot_only:
        thread = kb.intents.get(ctx.intent)
        moving = thread is not None and thread.slots.levels == "move"
        source = ctx.from_level if moving and not slots.refers_back else None
        if ctx.level is not None or source is not None:
            return ctx.level, source
    if not slots.first_person:
        return ctx.level, ctx.from_level
    return None, None


def _complete_move(
    kb: KnowledgeBase, target: str | None, source: str | None, own: str | None
) -> tuple[str | None, str | None]:
    """A move with both ends: the speaker's own level (when below) or the one before the
    target; the one after the source; the speaker's next move."""
    if target and source is None:
        below = own and kb.levels[own].rank < kb.levels[target].rank
        source = own if below else kb.previous_level(target)
    elif source and target is None:
        target = kb.next_level(source)
    elif target is None and source is None and own:
        source, target = own, kb.next_level(own)
    if source == target:
        source = kb.previous_level(target) if target else None
    return target, source


def _pair(
    kb: KnowledgeBase, slots: Extraction, profile: Profile, ctx: Context | None
) -> tuple[str | None, str | None]:
    """(higher level, lower level) for a comparison."""
    if slots.level and slots.from_level:
        return slots.level, slots.from_level
    one = slots.level or slots.from_level
    # "how is that different from junior": the other level is the one just discussed.
    recent = ctx.level if ctx and ctx.level != one else None
    other = slots.own_level or recent or profile.level
    if one is None:
        one = ctx.level if ctx else None
    if one is None:
        one, other = other, None
    if one is None:
        return None, None
    if other is None or other == one:
        other = kb.previous_level(one) or kb.next_level(one)
    if other is None:
        return one, None
    low, high = sorted((one, other), key=lambda lv: kb.levels[lv].rank)
    return high, low
