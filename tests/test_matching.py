"""Matching messages to intents and slots: typos, short queries, scope, ambiguity, hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import loader
from bot.knowledge.model import KnowledgeBase
from bot.understanding.language import normalize
from bot.understanding.pipeline import Pipeline

OUT_OF_SCOPE = "out_of_scope"


@pytest.mark.parametrize(
    ("text", "intent", "level"),
    [
        ("what skills for senior?", "skills", "senior"),
        ("wat skils for senoir", "skills", "senior"),
        ("sr mle pay", "salary", "senior"),
        ("how much does a staff MLE make in London?", "salary", "staff"),
        ("how long from mid to senior?", "timeline", "senior"),
        ("I feel stuck", "stuck", None),
        ("how do I get promoted to staff", "promotion", "staff"),
        ("what does a principal ml engineer do", "level_overview", "principal"),
        ("senior vs staff", "compare_levels", "staff"),
        ("should I become a manager or stay IC", "ic_vs_management", None),
        ("should i switch companies", "switch_company", None),
        ("how to prepare for the ml system design interview", "interviews", None),
        ("tips for my cv", "resume", None),
        ("is the aws ml certification worth it", "certifications", None),
        ("how do i break into ml from software engineering", "getting_started", None),
        ("ml engineer vs data scientist", "role", None),
        ("should i specialize in nlp or computer vision", "specialization", None),
        ("soft skills for staff", "soft_skills", "staff"),
        ("common mistakes to avoid", "pitfalls", None),
        ("how to grow faster", "accelerate", None),
        ("pros and cons of ml engineering", "pros_cons", None),
        ("hello", "greeting", None),
        ("what can you do", "help", None),
        ("stop sending me reminders", "nudges", None),
        ("delete my data", "forget", None),
    ],
)
def test_intents_and_level(pipeline: Pipeline, text: str, intent: str, level: str | None) -> None:
    match = pipeline.match(text)
    assert match.intent == intent, (text, match.candidates)
    assert match.slots.level == level


@pytest.mark.parametrize(
    ("text", "market"),
    [
        ("salary in london", "uk"),
        ("pay in the states", "us"),
        ("senior comp toronto", "canada"),
        ("sydney salaries", "australia"),
        ("what can you tell us about salaries", None),  # "us" the pronoun is not a market
    ],
)
def test_market_slot(pipeline: Pipeline, text: str, market: str | None) -> None:
    assert pipeline.match(text).slots.market == market


@pytest.mark.parametrize(
    ("text", "level", "from_level"),
    [
        ("how long from junior to mid", "mid", "junior"),
        ("mid -> senior timeline", "senior", "mid"),
        ("difference between staff and senior", "staff", "senior"),
        ("how long from mid", None, "mid"),
        ("new grad salary", "junior", None),
        # Titles whose level depends on the company set no level (issue 11).
        ("head of ai pay", None, None),
        ("ml architect skills", None, None),
        ("distinguished engineer salary", "principal", None),
    ],
)
def test_level_slots(
    pipeline: Pipeline, text: str, level: str | None, from_level: str | None
) -> None:
    slots = pipeline.match(text).slots
    assert (slots.level, slots.from_level) == (level, from_level)


@pytest.mark.parametrize(
    ("text", "own_level"),
    [
        ("I have 3 years of experience", "mid"),
        ("i've got 6 yoe", "senior"),
        ("I have 1 year of experience", "junior"),
        ("I have 12 years experience", "staff"),
        ("I'm a senior MLE", "senior"),
        ("i'm a new grad", "junior"),
        ("I want to become senior", None),
        ("how do I become staff", None),
    ],
)
def test_stated_level_is_the_users_own(
    pipeline: Pipeline, text: str, own_level: str | None
) -> None:
    assert pipeline.match(text).slots.own_level == own_level


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I have 3 years of experience", "set_level"),
        ("I'm in London", "set_market"),
        ("based in Canada", "set_market"),
        ("I'm a senior, what should I learn next?", "next_steps"),
    ],
)
def test_profile_statements(pipeline: Pipeline, text: str, intent: str) -> None:
    assert pipeline.match(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "what's the weather tomorrow",
        "give me a pancake recipe",
        "how do I become a doctor",
        "asdfgh qwerty",
        "banana",
        "who won the football match yesterday",
        "how much does a plumber earn",
        # A word of careers in general ("job") does not make another job's question ours.
        "resume for a barista job",
        "interview tips for a nursing job",
    ],
)
def test_out_of_scope(pipeline: Pipeline, text: str) -> None:
    assert pipeline.match(text).intent == OUT_OF_SCOPE


@pytest.mark.parametrize("text", ["a", "is", "the", "how", "i", "senior discount", "yes", "in"])
def test_short_queries_do_not_match_by_accident(pipeline: Pipeline, text: str) -> None:
    match = pipeline.match(text)
    assert match.intent == OUT_OF_SCOPE, (text, match.candidates)


def _with_shared_example(kb_copy: Path) -> KnowledgeBase:
    """A knowledge base where salary and promotion share one phrasing: a true tie."""
    path = kb_copy / "intents.yaml"
    text = path.read_text()
    for intent in ("salary", "promotion"):
        start = text.index(f"  - id: {intent}\n")
        at = text.index("    examples:\n", start) + len("    examples:\n")
        text = text[:at] + "      - zorble quandary flumph\n" + text[at:]
    # The tie is made in the examples; the linear model, which weighs how often each intent
    # is asked, would settle it, so it is left out here.
    text = text.replace("  classifier_weight: 0.5\n", "  classifier_weight: 0\n")
    path.write_text(text)
    return loader.load(kb_copy)


def test_close_intents_are_flagged_as_ambiguous(kb_copy: Path) -> None:
    pipeline = Pipeline(_with_shared_example(kb_copy))
    match = pipeline.match("zorble quandary flumph")
    assert match.clarify
    assert set(match.clarify) == {"salary", "promotion"}
    assert pipeline.match("pay for senior").clarify == ()


def test_confidence_is_a_fraction(pipeline: Pipeline) -> None:
    assert 0.9 <= pipeline.match("what skills for senior").confidence <= 1.0
    unknown = pipeline.match("qwxz vbnm")
    assert unknown.intent == OUT_OF_SCOPE and unknown.confidence == 1.0


HOSTILE = [
    "",
    "   ",
    "😀😀😀",
    "\x00\x00senior\x00 pay",
    "\u202egnirts desrever\u202c senior salary",
    "<b>senior</b> <script>alert(1)</script> salary &amp; &",
    "a" * 10_000,
    "senior pay " * 2000,
    "\ud800",
    "'; DROP TABLE users; --",
    "{{7*7}} ${jndi:ldap://x}",
    "\n\n\t\r",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_never_crashes(pipeline: Pipeline, text: str) -> None:
    match = pipeline.match(text)
    assert match.intent
    assert 0.0 <= match.confidence <= 1.0


def test_control_characters_and_bidi_marks_are_removed(pipeline: Pipeline) -> None:
    assert normalize("se\u200bnior\x00 \u202epay") == "senior pay"
    assert normalize("<b>Senior</b>!") == "b senior b"
    # Only the start of a very long message is read: the work per message stays bounded.
    read = pipeline.normalise("word " * 10_000)
    assert len(" ".join(read.tokens)) <= pipeline.settings.max_chars >= len(read.text)


def test_an_alias_of_no_words_is_harmless(kb_copy: Path) -> None:
    """An alias that normalises to nothing ("--") matches nothing and breaks nothing."""
    path = kb_copy / "levels.yaml"
    path.write_text(
        path.read_text().replace('aliases: ["junior", ', 'aliases: ["--", "junior", ', 1)
    )
    pipeline = Pipeline(loader.load(kb_copy))
    assert pipeline.match("junior pay in london").slots.level == "junior"
    assert pipeline.match("-- pay").slots.level is None
