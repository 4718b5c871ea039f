"""Dialogue state: who the user is, what was just discussed, and how a match becomes a query."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain import Context, Profile, Query
from bot.knowledge.model import KnowledgeBase
from bot.understanding.ladders import LadderMention
from bot.understanding.matching import OUT_OF_SCOPE, Match

# Intents whose answer is about a move between two levels.
TRANSITION_INTENTS = frozenset({"timeline", "promotion"})
# Intents answered for the user's own level: without one, the bot asks for it.
PERSONAL_INTENTS = frozenset({"next_steps", "stuck"})
# Intents that keep the thread of a conversation (the rest answer and leave the context alone).
NON_TOPICAL = frozenset({"greeting", "small_talk", "help", "nudges", "forget", OUT_OF_SCOPE})


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


def resolve(
    kb: KnowledgeBase, match: Match, profile: Profile, context: Context | None, now: datetime
) -> Turn:
    """Combine a match with the profile and the conversation into the query to answer."""
    slots = match.slots
    ctx = context if context and context.fresh(now) else None
    intent = match.intent
    if match.slot_only:
        intent = _slot_only_intent(match, ctx)
    elif (
        intent == OUT_OF_SCOPE
        and not match.question
        and ((slots.own_level and slots.mentioned) or slots.own_market)
    ):
        # Years alone are not enough: "a chef for 15 years" says nothing about ML; and a
        # question about something else is no statement of one's level.
        intent = "set_level" if slots.own_level and slots.mentioned else "set_market"
    if intent == "set_level" and not slots.own_level:
        # "8 years as an ml engineer now", or "mid" when asked for a level: a statement about
        # oneself without "I".
        stated = slots.level or (
            kb.level_for_years(slots.years) if slots.years is not None else None
        )
        slots = replace(slots, own_level=stated)
        match = replace(match, slots=slots)
    if intent == OUT_OF_SCOPE:
        # Nothing said off topic changes what the bot remembers ("a chef for 15 years").
        return Turn(Query(OUT_OF_SCOPE), match.confidence, profile, context)
    if slots.own_level:
        # Someone coming from another field is aspiring, with that background; a level in ML
        # leaves the background behind.
        entry = kb.level_by_rank(0)
        moving_in = entry is not None and slots.own_level == entry.id
        background = match.situation.background if moving_in else None
        profile = replace(
            profile,
            level=slots.own_level,
            background=background or (profile.background if moving_in else None),
        )
    # "set market uk", "i am junior in london": a place named in a statement about oneself.
    stating = intent == "set_market" or (intent == "set_level" and slots.first_person)
    if slots.market and (slots.own_market or stating):
        profile = replace(profile, market=slots.market)

    if intent in ("set_level", "set_market"):
        query = Query(intent, level=profile.level, market=profile.market)
        pending = ctx.pending if ctx and ctx.pending and profile.level else None
        if ctx and pending:
            return _answer_pending(kb, match, profile, ctx, pending, now)
        # The thread goes on: "i moved to toronto" after a pay answer, then "and there?".
        if ctx:
            market = profile.market if intent == "set_market" else ctx.market
            new_ctx = replace(ctx, market=market, at=now)
        else:
            new_ctx = Context(intent, profile.level, None, profile.market, None, now)
        return Turn(query, match.confidence, profile, new_ctx)

    if intent == "level_mapping":
        # The translator answers about the level named, not about the user's own.
        level = slots.level or slots.own_level
        if level is None and ctx and (match.slot_only or not match.ladder or not match.ladder.code):
            level = ctx.level  # "that's which level at amazon?" after talking about senior
        query = Query(intent, level, None, None)
        company = match.ladder.company if match.ladder else None
        new_ctx = Context(intent, query.level, None, None, None, now, company)
        return Turn(query, match.confidence, profile, new_ctx, ladder=match.ladder)
    query = _fill_slots(kb, intent, match, profile, ctx)
    entry = kb.level_by_rank(0)
    if intent == "promotion" and entry and entry.id in (query.from_level, query.level):
        # Moving up from "aspiring" is getting into the field in the first place.
        query = Query("getting_started", entry.id, None, query.market)
    clarify = match.ambiguous or ()
    if intent in PERSONAL_INTENTS and query.level is None:
        asked = Context(intent, None, None, query.market, intent, now)
        return Turn(query, match.confidence, profile, asked, clarify, needs_level=True)
    if intent in NON_TOPICAL:
        return Turn(query, match.confidence, profile, context, clarify)
    # Even when asking "did you mean", the levels and market discussed stay the thread.
    new_ctx = Context(intent, query.level, query.from_level, query.market, None, now)
    return Turn(query, match.confidence, profile, new_ctx, clarify)


def _slot_only_intent(match: Match, ctx: Context | None) -> str:
    """A message of slots alone continues the conversation, or states something about the user."""
    slots = match.slots
    if match.intent in ("set_level", "set_market"):
        return match.intent
    if ctx and ctx.pending and (slots.own_level or slots.level):
        return "set_level"
    if slots.own_level or (slots.years is not None and not slots.level):
        return "set_level"
    if slots.own_market and not (slots.level or slots.from_level):
        return "set_market"
    if ctx and ctx.intent not in ("set_level", "set_market"):
        return ctx.intent
    if not (slots.level or slots.from_level or slots.market):
        # "what's the next level like?" with nothing discussed yet: the level above theirs.
        return "level_overview" if slots.next_level else OUT_OF_SCOPE
    if slots.level or slots.from_level:
        return "compare_levels" if slots.comparison else "level_overview"
    return "salary" if slots.market else OUT_OF_SCOPE


def _answer_pending(
    kb: KnowledgeBase, match: Match, profile: Profile, ctx: Context, pending: str, now: datetime
) -> Turn:
    """The user answered the bot's question about their level: answer what they asked first."""
    query = Query(pending, level=profile.level, market=ctx.market or profile.market)
    new_ctx = Context(pending, query.level, None, query.market, None, now)
    return Turn(query, match.confidence, profile, new_ctx)


def _fill_slots(
    kb: KnowledgeBase, intent: str, match: Match, profile: Profile, ctx: Context | None
) -> Query:
    slots = match.slots
    followup = ctx is not None and (match.slot_only or slots.refers_back or not slots.first_person)
    market = slots.market or (ctx.market if ctx else None) or profile.market
    if intent in TRANSITION_INTENTS:
        level, from_level = _transition(kb, match, profile, ctx)
        return Query(intent, level, from_level, market)
    if intent == "compare_levels":
        level, from_level = _comparison(kb, match, profile, ctx)
        return Query(intent, level, from_level, market)
    level = slots.level or slots.own_level
    if level is None and slots.next_level:
        # "the next level" for "i": above their own; otherwise above the one discussed.
        mine = profile.level if slots.first_person else None
        current = mine or (ctx.level if ctx else None) or profile.level
        level = kb.next_level(current) if current else None
    if level is None and intent in PERSONAL_INTENTS:
        level = profile.level
    if level is None and slots.refers_back and ctx:
        level = ctx.level
    own_pay = slots.first_person and intent == "salary"  # "what should my salary be"
    if (
        level is None
        and ctx
        and intent == ctx.intent
        and ctx.level != profile.level
        and not own_pay
    ):
        # The same topic goes on ("resume for senior roles?" then "should i list kaggle?").
        level = ctx.level
    if level is None and followup and ctx:
        level = ctx.level
    if level is None:
        level = profile.level
    return Query(intent, level, None, market)


def _transition(
    kb: KnowledgeBase, match: Match, profile: Profile, ctx: Context | None
) -> tuple[str | None, str | None]:
    """(level moved to, level moved from) for timeline and promotion questions."""
    slots = match.slots
    own = slots.own_level or profile.level
    target, source = slots.level, slots.from_level
    if target is None and source is None and slots.next_level:
        source = own or (ctx.level if ctx else None)
        return (kb.next_level(source), source) if source else (None, None)
    if target is None and source is None and ctx and (slots.refers_back or match.slot_only):
        target = ctx.level
        if ctx.intent in TRANSITION_INTENTS and not slots.refers_back:
            source = ctx.from_level
    if target is None and source is None and not slots.first_person and ctx:
        target, source = ctx.level, ctx.from_level
    if target and source is None:
        rank = kb.levels[target].rank
        below = own and kb.levels[own].rank < rank
        source = own if below else kb.previous_level(target)
    elif source and target is None:
        target = kb.next_level(source)
    elif target is None and source is None and own:
        source, target = own, kb.next_level(own)
    if source == target:
        source = kb.previous_level(target) if target else None
    return target, source


def _comparison(
    kb: KnowledgeBase, match: Match, profile: Profile, ctx: Context | None
) -> tuple[str | None, str | None]:
    """(higher level, lower level) for a comparison."""
    slots = match.slots
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
