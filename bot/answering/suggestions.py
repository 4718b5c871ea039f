"""Follow-up suggestions fitted to the user: pay suggestions in the user's market (or the one
asked about), none the knowledge base cannot answer ("Salary for aspiring", "Salary for staff
in Canada" when no source has it), suggestions for the level translator too, and each one what
its label means when typed in this conversation, so that a button and the typed label get the
same answer."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from bot.answering.answer import Answer, Suggestion
from bot.answering.answers import Answers
from bot.domain import Context, Profile, Query
from bot.understanding.decision import Decision
from bot.understanding.pipeline import Pipeline, Reading

MAX = 3
# Labels are few and come back often: each is read once per pipeline, and what it means in a
# conversation like this one is resolved once (up to `_MAX_QUERIES` such meanings).
_MAX_QUERIES = 20_000
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class _Known:
    readings: dict[str, Reading] = field(default_factory=dict)
    queries: dict[tuple[object, ...], Query] = field(default_factory=dict)


_READINGS: weakref.WeakKeyDictionary[Pipeline, _Known] = weakref.WeakKeyDictionary()


def answerable(answers: Answers, q: Query) -> bool:
    """True when the knowledge base has an answer to the query (pay: some source's figure for
    the level in a market some source covers)."""
    kb = answers.kb
    if q.intent != "salary":
        return True
    market = q.market or "us"
    if not answers.covered_market(market):
        return False
    return q.level is None or bool(kb.bands_for(q.level, market))


def _fitted(answers: Answers, q: Query, asked: Query, profile: Profile) -> Query:
    """A pay suggestion is for the market the answer was about or the user's own, never a
    third one; one without a market is for the user's own."""
    if q.intent != "salary":
        return q
    mine = profile.market
    if q.market is None:
        return replace(q, market=mine)
    if mine and q.market not in (mine, asked.market):
        return replace(q, market=mine)
    return q


def _translator(answers: Answers, asked: Query, profile: Profile) -> tuple[Query, ...]:
    """After a big-tech level is translated: that level's skills, pay and next move."""
    level = asked.level
    if level is None:
        return (Query("level_overview", profile.level),) if profile.level else ()
    nxt = answers.kb.next_level(level)
    return (
        Query("skills", level),
        Query("salary", level, None, profile.market),
        Query("promotion", nxt, level) if nxt else Query("level_overview", level),
    )


def same(typed: Query, offered: Query) -> bool:
    """Whether a typed label asks what its button asks: the intent and levels, and for pay the
    market (other answers do not depend on it)."""
    if offered.intent == "plan":
        return typed.intent == "plan"  # the user's own plan, whichever level the thread is at
    keys = ["intent", "level", "from_level"] + (["market"] if offered.intent == "salary" else [])
    return all(getattr(typed, k) == getattr(offered, k) for k in keys)


def _typed(
    pipeline: Pipeline, label: str, profile: Profile, context: Context | None, now: datetime
) -> Query:
    """What a label means when typed in this conversation."""
    known = _READINGS.setdefault(pipeline, _Known())
    fresh = context if context and context.fresh(now) else None
    # What the query can depend on: the label, what the profile says of the speaker, and the
    # thread while fresh (not when it started: tests/test_suggestions.py checks the cache
    # against resolving afresh). Every answer resolves about three labels, so the cache
    # saves about a third of a turn.
    key = (label, profile.level, profile.market, profile.background,
           replace(fresh, at=_EPOCH) if fresh else None)  # fmt: skip
    query = known.queries.get(key)
    if query is None:
        if label not in known.readings:
            known.readings[label] = pipeline.read(label)
        query = pipeline.resolve(known.readings[label], profile, context, now).query
        if len(known.queries) >= _MAX_QUERIES:
            known.queries.pop(next(iter(known.queries)))  # the oldest
        known.queries[key] = query
    return query


def understood(
    answers: Answers, pipeline: Pipeline, answer: Answer, profile: Profile,
    context: Context | None, now: datetime,
) -> Answer:  # fmt: skip
    """Each suggestion as its label reads in this conversation ("Resume tips" from a senior is
    about seniors' resumes); one whose label reads as something else is relabelled, or dropped
    if that does not read back either."""
    kept: list[Suggestion] = []
    for s in answer.suggestions:
        typed = _typed(pipeline, s.label, profile, context, now)
        label = s.label
        if s.query.intent == "plan" and typed.intent == "plan":
            typed = s.query
        elif not same(typed, s.query):
            label = answers.label(typed) or ""
            again = _typed(pipeline, label, profile, context, now)
            if not label or not same(again, typed) or not answerable(answers, typed):
                continue
        if all(k.label != label for k in kept):
            kept.append(Suggestion(label, typed))
    return replace(answer, suggestions=tuple(kept))


def runner_up(answers: Answers, asked: Query, answer: Answer, decision: Decision | None) -> Answer:
    """The second reading of the message, when plausible, offered first: "DS with 4 yoe, how do
    I get an offer, and what would it pay?" answers the main question and offers the other. No
    "did you mean" unless the two are truly tied (knowledge/policy.yaml, close_second)."""
    if decision is None or decision.clarify or len(decision.candidates) < 2:
        return answer
    kb = answers.kb
    asked_spec = kb.intents.get(asked.intent)
    if asked_spec is None or not asked_spec.answer.from_knowledge:
        return answer  # only a question's answer offers another reading
    second = next((c for c in decision.candidates[1:] if c.intent != asked.intent), None)
    if second is None or second.score < kb.settings.threshold:
        return answer
    spec = kb.intents[second.intent]
    if spec.fallback or not spec.topical or spec.changes_state:
        return answer
    query = Query(second.intent, asked.level, asked.from_level, asked.market)
    label = answers.label(query)
    if label is None or any(s.label == label for s in answer.suggestions):
        return answer
    return replace(answer, suggestions=(Suggestion(label, query), *answer.suggestions))


def fit(answers: Answers, asked: Query, answer: Answer, profile: Profile) -> Answer:
    """The answer with its suggestions fitted to the user and to what can be answered."""
    offered: list[tuple[str | None, Query]] = [(s.label, s.query) for s in answer.suggestions]
    if asked.intent == "level_mapping" and not offered:
        offered = [(None, q) for q in _translator(answers, asked, profile) if q]
    out: list[Suggestion] = []
    for label, q in offered:
        fitted = _fitted(answers, q, asked, profile)
        if fitted != q or label is None:
            label = answers.label(fitted)
        if label is None or not answerable(answers, fitted) or any(s.label == label for s in out):
            continue
        out.append(Suggestion(label, fitted))
    kept = tuple(out[:MAX])
    return answer if kept == answer.suggestions else replace(answer, suggestions=kept)
