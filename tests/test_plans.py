"""Personal plans and the level translator: building, ticking, progress, export, promotion,
time at level, every row of the ladder table, and nudges preferring open plan items."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.advisor import Advisor, Reply
from bot.answering import render
from bot.coaching import nudges, plans
from bot.knowledge.model import KnowledgeBase
from bot.storage.store import Storage
from bot.understanding import statements
from bot.understanding.pipeline import Pipeline
from tests import tghtml
from tests.conftest import NOW

MOVES = [("aspiring", "junior"), ("junior", "mid"), ("mid", "senior"), ("senior", "staff"),
         ("staff", "principal")]  # fmt: skip


@pytest.mark.parametrize(("src", "dst"), MOVES)
def test_a_plan_for_every_move(kb: KnowledgeBase, src: str, dst: str) -> None:
    plan = plans.plan_from(kb, src)
    assert plan is not None and (plan.from_level, plan.to_level) == (src, dst)
    kinds = {i.kind for i in plan.items}
    assert kinds == {"technical", "soft", "visibility"}
    assert 10 <= len(plan.items) <= 14
    assert all(i.show and i.sources and i.aliases for i in plan.items)
    answer = plans.view(kb, plan, {}, date(2024, 3, 1), NOW)
    text = tghtml.parse(render.html(answer, kb.sources))
    assert f"Your plan: {src} → {dst}" in text and f"0 of {len(plan.items)} done." in text
    assert "Next" in text and "Sources: [1]" in text
    assert plans.plan_to(kb, dst) == plan
    assert plans.plan_from(kb, "principal") is None


def test_progress_counts_leave_out_items_that_are_not_relevant(kb: KnowledgeBase) -> None:
    plan = plans.plan_from(kb, "mid")
    assert plan
    ids = [i.id for i in plan.items]
    statuses = {ids[0]: "done", ids[1]: "done", ids[2]: "doing", ids[3]: "skip"}
    assert plans.progress(plan, statuses) == plans.Progress(2, 1, len(ids) - 1)
    assert [i.id for i in plans.open_items(plan, statuses)][:2] == [ids[2], ids[4]]
    answer = plans.view(kb, plan, statuses)
    assert answer.lead == f"2 of {len(ids) - 1} done, 1 in progress."


@pytest.mark.parametrize(
    ("level", "text", "done", "still_open"),
    [
        ("junior", "I already know PyTorch and Docker", {"jm-framework", "jm-mlops"}, set()),
        ("junior", "i know pytroch now", {"jm-framework"}, set()),
        ("mid", "I mentor two juniors now", {"ms-mentoring"}, set()),
        ("mid", "I don't know Kubernetes yet", set(), {"ms-serving"}),
        (
            "mid",
            "wrote a design doc, but no tech talk yet",
            {"ms-design-docs"},
            {"ms-talks-writing"},
        ),
        ("mid", "I haven't done distributed training", set(), {"ms-distributed"}),
        ("senior", "the weather is nice", set(), set()),
    ],
)
def test_reading_what_a_message_ticks_off(
    kb: KnowledgeBase, level: str, text: str, done: set[str], still_open: set[str]
) -> None:
    plan = plans.plan_from(kb, level)
    assert plan
    ticks = plans.read_ticks(plan, text, kb)
    assert {i.id for i in ticks.done} == done
    assert {i.id for i in ticks.still_open} == still_open


def test_a_vague_mention_is_asked_about_not_guessed(kb: KnowledgeBase) -> None:
    plan = plans.plan_from(kb, "junior")
    assert plan
    ticks = plans.read_ticks(plan, "I'm good with feature stuff and tracking", kb)
    assert not ticks.done
    (phrase, items), *_ = ticks.ambiguous
    assert len(items) >= 2 and "feature" in phrase


@pytest.mark.parametrize(
    ("text", "since"),
    [
        ("I've been senior since 2023", date(2023, 1, 1)),
        ("senior since march 2024", date(2024, 3, 1)),
        ("I became staff in 2022", date(2022, 1, 1)),
        ("been mid for 2 years", date(2024, 3, 1)),
        ("i've been a junior for 18 months", date(2024, 9, 1)),
        ("promoted in 2030", None),
        ("I like 2023 wines", None),
    ],
)
def test_time_at_level(kb: KnowledgeBase, text: str, since: date | None) -> None:
    assert statements.parse_since(text, NOW, kb.lexicon.statements) == since


def test_time_at_level_is_related_to_the_typical_range(kb: KnowledgeBase) -> None:
    step = kb.transitions[("senior", "staff")]
    line = plans.time_at_level_line(step, date(2024, 1, 1), NOW, "senior")
    assert line.text.startswith("Typical senior → staff is 3–5 years")
    assert "you are in year 3 (senior since January 2024)" in line.text


def test_markdown_export(kb: KnowledgeBase) -> None:
    plan = plans.plan_from(kb, "mid")
    assert plan
    ids = [i.id for i in plan.items]
    text = plans.markdown(kb, plan, {ids[0]: "done", ids[1]: "doing", ids[2]: "skip"}, NOW)
    assert text.startswith("# Plan: mid → senior\n")
    assert "Progress: 1 of 13 done, 1 in progress." in text
    assert text.count("- [x] ") == 1 and text.count("- [~] ") == 1 and text.count("- [-] ") == 1
    assert "How to show it:" in text and "## Sources" in text


# -- through the advisor -------------------------------------------------------------------------


async def _say(advisor: Advisor, text: str, minutes: float = 0, user: int = 11) -> Reply:
    return await advisor.ask(user, text, NOW + timedelta(minutes=minutes))


async def test_plan_in_the_local_chat(advisor: Advisor, storage: Storage) -> None:
    reply = await _say(advisor, "I'm mid, what am I missing for senior?")
    assert reply.query.intent == "plan"
    assert reply.answer.heading == "Your plan: mid → senior"
    assert reply.items  # buttons for the open items
    reply = await _say(advisor, "I mentor two juniors now and I wrote a design doc", 1)
    assert reply.answer.lead == "2 of 14 done, 0 in progress."
    assert await storage.plan_statuses(11) == {"ms-mentoring": "done", "ms-design-docs": "done"}
    reply = await _say(advisor, "export my plan", 2)
    assert reply.document and reply.document.filename == "plan-mid-to-senior.md"
    assert "- [x] **Mentoring a junior engineer**" in reply.document.text
    assert advisor.as_json(reply)["answer"] == reply.document.text


async def test_time_at_level_is_stored_and_used(advisor: Advisor) -> None:
    await _say(advisor, "I've been senior since January 2024")
    profile = await advisor.profile(11)
    assert (profile.level, profile.level_since) == ("senior", date(2024, 1, 1))
    reply = await _say(advisor, "how long will it take me to reach staff?", 1)
    text = advisor.plain(reply.answer)
    assert "you are in year 3 (senior since January 2024)" in text
    plan = await _say(advisor, "my plan", 2)
    assert "you are in year 3" in advisor.plain(plan.answer)


async def test_a_promotion_archives_the_plan_and_offers_the_next(
    advisor: Advisor, storage: Storage
) -> None:
    await _say(advisor, "I'm a mid-level MLE")
    await _say(advisor, "I already know kubernetes and I mentor a junior", 1)
    reply = await _say(advisor, "I just got promoted to senior!", 2)
    assert reply.answer.heading == "Congratulations on becoming a senior ML engineer!"
    text = advisor.plain(reply.answer)
    assert "mid → senior plan is archived: 2 of 14 done" in text
    assert "next plan is senior → staff" in text
    # Archiving deletes nothing: the statuses stay, for the day the level goes back.
    assert set((await storage.plan_statuses(11)).values()) == {"done"}
    history = await storage.plan_history(11)
    assert [(h[0], h[1], h[3], h[4]) for h in history] == [("mid", "senior", 2, 14)]
    assert (await advisor.profile(11)).level_since == (NOW + timedelta(minutes=2)).date()
    reply = await _say(advisor, "show my plan", 3)
    assert reply.answer.heading == "Your plan: senior → staff"


async def test_forget_deletes_plans(advisor: Advisor, storage: Storage) -> None:
    await _say(advisor, "I'm mid")
    await _say(advisor, "I mentor two juniors now", 1)
    await _say(advisor, "I just got promoted to senior", 2)
    await _say(advisor, "delete my data", 3)
    assert await storage.plan_statuses(11) != {}  # asked first
    await _say(advisor, "yes", 4)
    assert await storage.plan_statuses(11) == {}
    assert await storage.plan_history(11) == []


async def test_principal_has_no_next_plan(advisor: Advisor) -> None:
    await _say(advisor, "I'm a principal engineer")
    reply = await _say(advisor, "show my plan", 1)
    assert reply.answer.heading == "No plan beyond principal ML engineer"


# -- the level translator ------------------------------------------------------------------------

TABLE = [
    # (bot level, Google, Meta, Amazon, Microsoft) as in ../shared/level-mapping.md
    ("junior", ["L3"], ["E3"], ["L4"], ["59", "60"]),
    ("mid", ["L4"], ["E4"], ["L5"], ["61", "62"]),
    ("senior", ["L5"], ["E5"], ["L6"], ["63", "64"]),
    ("staff", ["L6"], ["E6"], ["L7"], ["65", "66"]),
    ("staff", ["L7"], ["E7"], ["L8"], ["67"]),
    ("principal", ["L8", "L9", "L10"], ["E8", "E9"], ["L10"], ["68", "69", "70", "80"]),
]


@pytest.mark.parametrize("row", TABLE)
def test_every_row_of_the_ladder_table(pipeline: Pipeline, row: tuple[str, ...]) -> None:
    level, google, meta, amazon, microsoft = row
    cases = [(f"what is {c} at Google", c) for c in google]
    cases += [(f"{c} at Meta equals?", c) for c in meta]
    cases += [(f"Amazon {c}?", c) for c in amazon]
    cases += [(f"level {c} at microsoft", c) for c in microsoft]
    for text, code in cases:
        match = pipeline.match(text)
        assert match.intent == "level_mapping", text
        assert match.slots.level == level, text
        assert match.ladder and match.ladder.code == code.upper()


async def test_translator_answers_with_equivalents_and_caveats(advisor: Advisor) -> None:
    reply = await _say(advisor, "I'm an L5 at Google")
    assert (reply.query.intent, reply.query.level) == ("level_mapping", "senior")
    text = advisor.plain(reply.answer)
    assert "Google L5 (Senior SWE) is roughly a senior ML engineer" in text
    assert "Meta: E5" in text and "Amazon: L6 (Senior SDE)" in text and "Microsoft: 63–64" in text
    assert "approximate" in text
    assert (await advisor.profile(11)).level == "senior"  # stated as one's own: remembered
    other = await _say(advisor, "what is E6 at Meta?", 1, user=12)
    assert "E6 is on a par with M1" in advisor.plain(other.answer)
    assert (await advisor.profile(12)).level is None  # a question, not a statement


async def test_a_senior_staff_rung_is_matched_to_senior_staff_rungs(advisor: Advisor) -> None:
    """Google L6 and L7 are both staff here; L7's equivalents lead with the senior staff
    rungs ("Meta: E6; E7 for senior staff" under L7 read as a contradiction)."""
    text = advisor.plain((await _say(advisor, "what is L7 at google?")).answer)
    assert "It is the senior staff rung" in text
    assert "Meta: E7; E6 for staff" in text and "Microsoft: 67; 65–66 for staff" in text
    text = advisor.plain((await _say(advisor, "what is L6 at google?", 1)).answer)
    assert "Meta: E6; E7 for senior staff" in text


async def test_a_code_without_a_company_is_asked_about(advisor: Advisor) -> None:
    reply = await _say(advisor, "what level is L5?")
    text = advisor.plain(reply.answer)
    assert reply.query.level is None
    assert "Google L5 (Senior SWE) ≈ senior" in text and "Amazon L5 (SDE II) ≈ mid" in text
    assert "Tell me the company" in text


async def test_unknown_codes_and_reverse_questions(advisor: Advisor) -> None:
    text = advisor.plain((await _say(advisor, "amazon l9")).answer)
    assert "I don't know Amazon L9" in text and "no L9" in text
    reply = await _say(advisor, "what is staff at google?", 1)
    text = advisor.plain(reply.answer)
    assert reply.query.level == "staff" and "Google: L6 (Staff); L7 (Senior Staff)" in text


# -- nudges prefer the plan ----------------------------------------------------------------------


def test_nudges_pick_open_plan_items_first_and_never_done_ones(kb: KnowledgeBase) -> None:
    plan = plans.plan_from(kb, "mid")
    assert plan
    statuses = {plan.items[0].id: "done"}
    open_items = plans.open_items(plan, statuses)
    seen: set[str] = set()
    picked = []
    for _ in range(len(plan.items) + 3):
        step, restarted = nudges.pick_step(open_items, kb.tips, "mid", seen)
        assert not restarted
        picked.append(step.id)
        seen.add(step.id)
    assert picked[: len(open_items)] == [i.id for i in open_items]
    assert plan.items[0].id not in picked
    tips = {t.id: t for t in kb.tips}
    assert all("mid" in tips[s].levels for s in picked[len(open_items) :])  # then mid tips


async def test_storage_of_plans_survives_migrations(tmp_path: Path) -> None:
    store = await Storage.open(tmp_path / "db.sqlite3")
    try:
        await store.set_plan_statuses(5, {"ms-mentoring": "doing"}, NOW)
        assert await store.plan_statuses(5) == {"ms-mentoring": "doing"}
        done, total = await store.archive_plan(5, "mid", "senior", ["ms-mentoring", "x"], NOW)
        assert (done, total) == (0, 2)
    finally:
        await store.close()


def test_now_is_a_parameter() -> None:
    later = NOW + timedelta(days=400)
    assert plans.year_at_level(date(2026, 3, 1), NOW) == 1
    assert plans.year_at_level(date(2026, 3, 1), later) == 2
    assert plans.year_at_level(date(2026, 3, 1), datetime(2026, 2, 1, tzinfo=UTC)) == 1
