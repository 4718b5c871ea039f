"""Follow-up suggestions: each one, sent back as a message, is understood as the suggested query;
none asks what the knowledge base cannot answer; pay suggestions follow the user's market."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.advisor import Advisor, Reply
from bot.answering import suggestions
from bot.answering.suggestions import answerable, same
from bot.domain import Context, NudgeState, Profile, Query
from tests.conftest import NOW

PEOPLE = {
    "nobody": [],
    "senior in London": ["I'm a senior ML engineer in London"],
    "mid in the US": ["I'm a mid-level MLE in Seattle"],
    "aspiring": ["I'm a backend developer trying to move into ML"],
    "junior in Sydney": ["I'm a junior ML engineer in Sydney"],
    "staff in Toronto": ["I'm a staff MLE in Toronto"],
    "principal": ["I'm a principal ML engineer"],
    "senior in Berlin": ["I'm a senior MLE", "I live in Berlin"],
}
QUESTIONS = [
    "hi", "help", "what skills do I need?", "how much should I earn?", "what about staff pay?",
    "how long to the next level?", "how do I get promoted?", "what does a senior do?",
    "senior vs staff", "what should I do next?", "I feel stuck", "interview tips",
    "how do I write a resume for ML jobs?", "is a certification worth it?", "soft skills",
    "IC or management?", "should I switch companies?", "what pitfalls to avoid?",
    "how do I grow faster?", "what is an ML engineer?", "which specialization should I pick?",
    "pros and cons of being an MLE", "I'm an L5 at Google", "what is E6 at Meta?",
    "big tech levels", "what does a staff mle make in Toronto?", "salary in Berlin",
    "what do ml engineers earn?", "junior salary", "aspiring ml engineer salary",
    "my plan", "how many years to be senior?", "what's the weather", "thanks",
]  # fmt: skip


async def test_every_suggestion_is_understood_answerable_and_in_the_users_market(
    advisor: Advisor,
) -> None:
    checked = 0
    misread: list[tuple[str, str, Query, Query]] = []
    for user, (who, story) in enumerate(PEOPLE.items(), 100):
        now = NOW
        for text in [*story, *QUESTIONS]:
            now += timedelta(minutes=1)
            reply: Reply = await advisor.ask(user, text, now)
            profile, context = await advisor.storage.load(user)
            for s in reply.answer.suggestions:
                q = s.query
                assert answerable(advisor.answers, q), (who, text, s.label)
                if q.intent == "salary":
                    assert q.level != "aspiring", (who, text, s.label)
                    if profile.market:  # the user's market, or the one just asked about
                        assert q.market in (profile.market, reply.query.market), (who, text, s)
                typed = advisor.pipeline.understand(s.label, profile, context, now).query
                checked += 1
                if not same(typed, q):
                    misread.append((who, s.label, typed, q))
    assert checked > 500
    assert misread == []


async def test_the_level_translator_suggests_what_to_ask_next(advisor: Advisor) -> None:
    await advisor.ask(1, "I'm a mid-level ML engineer in London", NOW)
    reply = await advisor.ask(1, "what is Google L6?", NOW + timedelta(minutes=1))
    assert reply.intent == "level_mapping"
    labels = [s.label for s in reply.answer.suggestions]
    assert labels == ["Skills for staff", "Salary for staff in United Kingdom",
                      "How to go from staff to principal"]  # fmt: skip


async def test_pay_suggestions_follow_the_stored_market(advisor: Advisor) -> None:
    await advisor.ask(2, "I'm a mid-level ML engineer in London", NOW)
    reply = await advisor.ask(2, "how much should I earn?", NOW + timedelta(minutes=1))
    labels = [s.label for s in reply.answer.suggestions]
    assert "Salary for senior in United Kingdom" in labels
    assert not any("United States" in label for label in labels)
    reply = await advisor.ask(
        2, "what does a staff mle make in Toronto", NOW + timedelta(minutes=2)
    )
    labels = [s.label for s in reply.answer.suggestions]
    assert "Salary for staff in Canada" not in labels and "Salary for principal in Canada" \
        not in labels  # fmt: skip
    assert "Salary for staff in United Kingdom" in labels


async def test_a_labels_meaning_is_cached_only_across_what_it_cannot_depend_on(
    advisor: Advisor,
) -> None:
    """The cache of suggestion meanings is keyed by the label, the profile's level, market and
    background, and the thread without its time; every other difference (user, nudges, date of
    the level, when the thread started, within freshness) must give the same query as
    resolving the label afresh."""
    pipeline = advisor.pipeline
    labels = ["Skills for staff", "Salary for senior in United Kingdom", "Resume tips",
              "How to go from mid to senior", "What to do next", "More", "My salary",
              "How to get promoted", "And in Canada?"]  # fmt: skip
    base = Profile(2, "senior", "uk")
    profiles = [  # each differs from `base` in one field
        base, Profile(1), replace(base, level="mid"), replace(base, market="us"),
        replace(base, background="data_science"), replace(base, user_id=3),
        replace(base, level_since=date(2024, 1, 1)), replace(base, nudges=NudgeState("weekly")),
    ]  # fmt: skip
    contexts = [
        None,
        Context("salary", "staff", None, "ca", None, NOW - timedelta(minutes=5)),
        Context("salary", "staff", None, "ca", None, NOW - timedelta(minutes=1)),
        Context("promotion", "senior", "mid", None, None, NOW - timedelta(days=3)),  # stale
        Context("skills", None, None, None, "skills", NOW),  # asked for a level
    ]
    compared = 0
    for label in labels:
        for profile in profiles:
            for context in contexts:
                cached = suggestions._typed(pipeline, label, profile, context, NOW)
                afresh = pipeline.resolve(pipeline.read(label), profile, context, NOW).query
                assert cached == afresh, (label, profile, context)
                compared += 1
    assert compared == 360


MISREAD = "I may have misread this"


async def test_a_weakly_read_long_question_says_what_it_was_taken_for(advisor: Advisor) -> None:
    # A long message clearly about careers is answered though no intent matches it well: the
    # answer says so, and names the reading it answered.
    text = (
        "long story short my manager left, the team got merged and my projects are in limbo, "
        "and I keep wondering about my data science career overall"
    )
    reply = await advisor.ask(41, text, NOW)
    assert reply.confidence < advisor.kb.settings.threshold
    assert reply.answer.note and MISREAD in reply.answer.note
    assert advisor.kb.intents[reply.query.intent].name in reply.answer.note
    assert MISREAD in advisor.plain(reply.answer)


async def test_clear_questions_are_answered_without_doubt(advisor: Advisor) -> None:
    for i, text in enumerate(QUESTIONS):
        reply = await advisor.ask(500 + i, text, NOW)
        assert MISREAD not in (reply.answer.note or ""), text


async def test_a_short_follow_up_the_thread_settles_is_not_doubted(advisor: Advisor) -> None:
    await advisor.ask(45, "salary for senior in london", NOW)
    reply = await advisor.ask(45, "and in toronto?", NOW)
    assert reply.query.intent == "salary" and reply.query.market == "canada"
    assert MISREAD not in (reply.answer.note or "")
