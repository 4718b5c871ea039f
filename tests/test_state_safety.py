"""Property: no labelled message deletes what the bot keeps, and only a statement of one's level
changes the stored level. Every message of every labelled set is sent by a user who already has
a full profile: level, market, time at level, a plan with ticked items, and nudges on."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.advisor import Advisor, Reply
from bot.changes import declines
from bot.cli.evaluation import accepts, load_cases
from bot.coaching import nudges
from bot.domain import NudgeState, Profile
from bot.knowledge.model import KnowledgeBase
from bot.storage.migrations import MIGRATIONS
from bot.storage.store import Storage
from tests.conftest import NOW
from tests.golden import labelled_sets

PLAN_STATUSES = {"mts_system_design": "done", "mts_mentoring": "done", "mts_ownership": "doing"}


async def _full_profile(storage: Storage, user: int) -> None:
    nudge = nudges.schedule(NudgeState(cadence="weekly"), NOW)
    profile = Profile(user, "mid", "uk", nudge, date(2024, 1, 1), "software_engineering")
    await storage.save(profile, None, NOW)
    await storage.save_nudges(user, nudge, NOW)
    await storage.set_plan_statuses(user, PLAN_STATUSES, NOW)


async def _state(storage: Storage, user: int) -> dict[str, Any]:
    profile, _ = await storage.load(user)
    return {
        "exists": await storage.known(user),
        "level": profile.level,
        "market": profile.market,
        "level_since": profile.level_since,
        "background": profile.background,
        "nudges": profile.nudges.cadence,
        "plan": await storage.plan_statuses(user),
    }


async def test_no_labelled_message_deletes_data_or_changes_the_level_unless_it_states_one(
    kb: KnowledgeBase, capsys: Any
) -> None:
    storage = await Storage.open(":memory:")
    advisor = Advisor(kb, storage)
    changed: Counter[str] = Counter()
    wrong: list[str] = []
    user = 0
    messages = 0
    try:
        for path in labelled_sets():
            for conversation in load_cases(path, known=None):
                user += 1
                await _full_profile(storage, user)
                for minute, turn in enumerate(conversation):
                    messages += 1
                    before = await _state(storage, user)
                    await advisor.ask(user, turn["q"], NOW + timedelta(minutes=minute))
                    after = await _state(storage, user)
                    kinds = [k for k in before if before[k] != after[k]]
                    changed.update(kinds)
                    deleted = not after["exists"] or any(
                        item not in after["plan"] for item in before["plan"]
                    )
                    level_ok = "level" not in kinds or accepts(turn["intent"], "set_level")
                    if deleted or not level_ok:
                        wrong.append(f"{turn['q']!r} ({turn['intent']}): changed {kinds}")
    finally:
        await storage.close()
    with capsys.disabled():
        print(f"\nstate changed by the {messages} labelled messages, by kind: {dict(changed)}")
    assert wrong == [], "\n".join(wrong[:40])


# -- the cases of the state-safety issue, through the real advisor --------------------------------


async def _say(advisor: Advisor, text: str, minutes: float = 0, user: int = 9, **kw: Any) -> Reply:
    return await advisor.ask(user, text, NOW + timedelta(minutes=minutes), **kw)


async def _stored(storage: Storage, user: int = 9) -> Profile:
    return (await storage.load(user))[0]


async def test_asking_to_see_ones_data_shows_it_and_deletes_nothing(
    advisor: Advisor, storage: Storage
) -> None:
    await _say(advisor, "I'm a senior MLE in London")
    for i, text in enumerate(("my profile", "show my profile", "profile", "can I see my data?")):
        reply = await _say(advisor, text, i + 1)
        assert reply.intent == "profile", text
        assert reply.answer.heading == "What I store about you"
        assert "Level: senior ML engineer" in advisor.plain(reply.answer)
        assert (await _stored(storage)).level == "senior" and reply.pending is None


async def test_deleting_everything_waits_for_yes_and_anything_else_cancels(
    advisor: Advisor, storage: Storage
) -> None:
    await _say(advisor, "I'm a senior MLE in London")
    reply = await _say(advisor, "clear", 1)
    assert reply.pending == "forget" and advisor.as_json(reply)["pending"] == "forget"
    text = advisor.plain(reply.answer)
    assert "your level (senior ML engineer)" in text and "your market (United Kingdom)" in text
    assert [c.text for c in reply.answer.choices] == ["yes", "no"]
    # Any other message cancels, and is answered as itself.
    reply = await _say(advisor, "what skills for staff?", 2)
    assert reply.intent == "skills" and "Cancelled: nothing was deleted." in (
        reply.answer.note or ""
    )
    assert (await _say(advisor, "yes", 3)).intent != "confirm"
    assert (await _stored(storage)).level == "senior"
    await _say(advisor, "forget me", 4)
    reply = await _say(advisor, "yes", 5)
    assert reply.answer.heading.startswith("Done: I deleted everything")
    assert not await storage.known(9)


async def test_resetting_a_plan_and_taking_items_off_it_wait_for_yes(
    advisor: Advisor, storage: Storage
) -> None:
    await _say(advisor, "I'm a mid-level MLE")
    await _say(advisor, "I already know kubernetes and I mentor a junior", 1)
    marked = await storage.plan_statuses(9)
    assert len(marked) == 2
    reply = await _say(advisor, "remove kubernetes from my plan", 2)
    assert reply.pending == "plan_skip" and "Kubernetes" in advisor.plain(reply.answer)
    assert await storage.plan_statuses(9) == marked  # nothing ticked or taken off yet
    await _say(advisor, "yes", 3)
    statuses = await storage.plan_statuses(9)
    assert sorted(statuses.values()) == ["done", "skip"]
    reply = await _say(advisor, "reset my plan", 4)
    assert reply.pending == "plan_reset"
    await _say(advisor, "no thanks", 5)
    assert await storage.plan_statuses(9) == statuses
    await _say(advisor, "reset my plan", 6)
    await _say(advisor, "yes", 7)
    assert await storage.plan_statuses(9) == {}


async def test_questions_and_other_peoples_levels_change_nothing(
    advisor: Advisor, storage: Storage
) -> None:
    await _say(advisor, "I'm a senior MLE in London")
    for i, text in enumerate((
        "do canadian companies even have staff mle roles lol",
        "I work with a principal engineer on this",
        "I'm the ml lead on my team",
        "whats senior pay in toronto",
        "my manager is a staff engineer",
    )):  # fmt: skip
        reply = await _say(advisor, text, i + 1)
        assert "Congratulations" not in reply.answer.heading, text
        assert reply.updated == (), text
        stored = await _stored(storage)
        assert (stored.level, stored.market) == ("senior", "uk"), text
    assert await storage.plan_history(9) == []


async def test_an_ambiguous_title_is_asked_about(advisor: Advisor, storage: Storage) -> None:
    reply = await _say(advisor, "I'm the ml lead on my team")
    assert "means different levels" in reply.answer.heading
    assert [c.text for c in reply.answer.choices][:2] == [
        "I'm a mid-level ML engineer",
        "I'm a senior ML engineer",
    ]
    assert (await _stored(storage)).level is None
    await _say(advisor, reply.answer.choices[1].text, 1)
    assert (await _stored(storage)).level == "senior"


async def test_a_correction_back_restores_the_plan_and_the_time_at_level(
    advisor: Advisor, storage: Storage
) -> None:
    await _say(advisor, "I've been a senior MLE since 2022")
    await _say(advisor, "I already know distributed training and I mentor two mids", 1)
    statuses = await storage.plan_statuses(9)
    assert statuses
    reply = await _say(advisor, "I'm staff now", 2)
    assert reply.answer.heading.startswith("Congratulations")
    assert [h[:2] for h in await storage.plan_history(9)] == [("senior", "staff")]
    reply = await _say(advisor, "sorry, typo, I'm still senior", 3)
    stored = await _stored(storage)
    assert stored.level == "senior" and stored.level_since == date(2022, 1, 1)
    assert await storage.plan_history(9) == []
    assert await storage.plan_statuses(9) == statuses
    plan = advisor.plain((await _say(advisor, "my plan", 4)).answer)
    assert f"{sum(s == 'done' for s in statuses.values())} of" in plan


async def test_a_jump_over_a_level_corrects_the_saved_one_and_is_no_promotion(
    advisor: Advisor, storage: Storage
) -> None:
    """A senior data scientist moving into ML is saved as aspiring; saying they are senior
    corrects it. Only a move to the next level up is congratulated and starts a new time at
    level."""
    await _say(advisor, "I'm a senior data scientist at a bank, trying to move into MLE")
    assert (await _stored(storage)).level == "aspiring"
    reply = await _say(advisor, "I'm a senior MLE", 1)
    assert "Congratulations" not in reply.answer.heading
    stored = await _stored(storage)
    assert (stored.level, stored.level_since) == ("senior", None)
    reply = await _say(advisor, "I just got promoted to staff!", 2)
    assert reply.answer.heading == "Congratulations on becoming a staff ML engineer!"
    assert (await _stored(storage)).level_since == (NOW + timedelta(minutes=2)).date()
    # Down over a level is a correction too: when the level began is not known.
    await _say(advisor, "sorry, I'm actually a junior MLE", 3)
    stored = await _stored(storage)
    assert (stored.level, stored.level_since) == ("junior", None)


async def test_every_change_is_echoed_and_undo_restores_it_exactly(
    advisor: Advisor, storage: Storage
) -> None:
    await _say(advisor, "I've been a senior MLE in London since 2021")
    before = await _stored(storage)
    reply = await _say(advisor, "I'm staff now", 1)
    assert reply.updated == ("level", "level_since")
    assert advisor.as_json(reply)["updated"] == ["level", "level_since"]
    text = advisor.plain(reply.answer)
    assert "Level: senior ML engineer → staff ML engineer" in text
    assert reply.answer.choices[-1].text == "undo"
    reply = await _say(advisor, "undo", 2)
    assert reply.intent == "undo"
    assert await _stored(storage) == before
    assert await storage.plan_history(9) == []
    assert (await _say(advisor, "undo", 3)).answer.heading.startswith("Undone")
    assert (await _stored(storage)).level is None


async def test_people_moving_into_ml_are_aspiring_with_a_background(
    advisor: Advisor, storage: Storage
) -> None:
    reply = await _say(advisor, "I have 4 years of backend experience and want to move into ML")
    stored = await _stored(storage)
    assert (stored.level, stored.background) == ("aspiring", "software_engineering")
    assert advisor.as_json(reply)["background"] == "software_engineering"
    await _say(advisor, "I'm a senior MLE", 1)
    await _say(advisor, "no, I'm not an ML engineer yet", 2)
    assert (await _stored(storage)).level == "aspiring"
    await _say(advisor, "forget me", 3)
    await _say(advisor, "yes", 4)
    assert (await _stored(storage)).background is None


async def test_a_field_named_as_a_group_is_not_the_speakers_background(
    advisor: Advisor, storage: Storage
) -> None:
    for minute, text in enumerate((
        "to the MLE folks here, what does your day actually look like?",
        "I hear a lot of doubt from data science circles about LLMs, should I learn them?",
        "data engineering people, how did you get into ML?",
    )):  # fmt: skip
        await _say(advisor, text, minute)
        stored = await _stored(storage)
        assert (stored.level, stored.background) == (None, None), text


async def test_getting_started_leads_with_the_part_for_ones_background(
    advisor: Advisor,
) -> None:
    await _say(advisor, "I'm a data scientist")
    reply = await _say(advisor, "how do I get into ML engineering?", 1)
    assert reply.intent == "getting_started"
    assert reply.answer.blocks[0].title == "From data science or research"
    assert all(b.title != "From software engineering" for b in reply.answer.blocks)


async def test_plan_news_reports_the_level_the_plan_leads_to(advisor: Advisor) -> None:
    await _say(advisor, "I'm a mid-level MLE")
    reply = await _say(advisor, "I mentor two junior engineers now", 1)
    payload = advisor.as_json(reply)
    assert (payload["intent"], payload["level"], payload["from_level"]) == ("plan", "senior", "mid")


async def test_forwarded_words_change_nothing(advisor: Advisor, storage: Storage) -> None:
    await _say(advisor, "I'm a senior MLE")
    reply = await _say(advisor, "I'm a staff ML engineer with 12 years of experience", 1,
                       forwarded=True)  # fmt: skip
    assert reply.updated == () and (await _stored(storage)).level == "senior"
    await _say(advisor, "forget me", 2)
    await _say(advisor, "yes", 3, forwarded=True)
    assert await storage.known(9)


async def test_a_level_in_a_question_is_offered_not_saved(
    advisor: Advisor, storage: Storage
) -> None:
    await _say(advisor, "I'm a mid-level MLE")
    reply = await _say(advisor, "I'm senior now, how do I get to staff?", 1)
    assert reply.intent == "promotion" and (await _stored(storage)).level == "mid"
    offer = [c for c in reply.answer.choices if c.label.startswith("Save")]
    assert offer and offer[0].text == "I'm a senior ML engineer"


async def test_a_version_7_database_keeps_its_archived_plans_restorable(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    # Before migration 8 a promotion deleted the plan's statuses and kept a copy in the archive.
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        for version, statements in enumerate(MIGRATIONS[:7], start=1):
            for statement in statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("INSERT INTO users (user_id, level, level_since, created_at, updated_at) "
                     "VALUES (9, 'senior', '2025-06-01', 0, 0)")  # fmt: skip
        conn.execute("INSERT INTO plan_archive VALUES (9, 'mid', 'senior', 0, 1, 14, ?)",
                     (json.dumps({"ms-mentoring": "done"}),))  # fmt: skip
    storage = await Storage.open(db)
    try:
        assert await storage.schema_version() == len(MIGRATIONS)
        advisor = Advisor(kb, storage)
        reply = await _say(advisor, "sorry, I'm actually still mid")
        assert (await _stored(storage)).level == "mid" and reply.updated[0] == "level"
        assert await storage.plan_statuses(9) == {"ms-mentoring": "done"}
        assert await storage.plan_history(9) == []
        await _say(advisor, "undo", 1)
        assert (await _stored(storage)).level_since == date(2025, 6, 1)
    finally:
        await storage.close()


def test_a_refusal_is_only_words_of_refusal(kb: KnowledgeBase) -> None:
    for text in ("no", "No.", "nope, keep it", "no wait dont", "don't!", "cancel", "not now"):
        assert declines(kb.lexicon, text), text
    for text in ("stop the nudges", "wait what is mlops", "do it now", "yes", "", "nothing"):
        assert not declines(kb.lexicon, text), text
