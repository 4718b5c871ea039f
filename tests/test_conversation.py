"""Memory and follow-ups through the real advisor: profile, context, pending questions, forget."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.advisor import Advisor, Reply
from bot.knowledge.model import KnowledgeBase
from bot.storage.store import Storage
from bot.understanding.pipeline import Pipeline
from tests.conftest import NOW
from tests.test_matching import _with_shared_example


async def _say(advisor: Advisor, text: str, minutes: float = 0, user: int = 7) -> Reply:
    return await advisor.ask(user, text, NOW + timedelta(minutes=minutes))


def _slots(reply: Reply) -> tuple[str, str | None, str | None, str | None]:
    q = reply.query
    return q.intent, q.level, q.from_level, q.market


async def test_stated_experience_is_used_when_a_question_names_no_level(advisor: Advisor) -> None:
    reply = await _say(advisor, "I have 6 years of experience")
    assert _slots(reply) == ("set_level", "senior", None, None)
    reply = await _say(advisor, "how much should I earn?", 1)
    assert _slots(reply) == ("salary", "senior", None, None)
    assert "Senior" in reply.answer.heading


async def test_stated_market_is_used_for_pay(advisor: Advisor) -> None:
    await _say(advisor, "I'm a mid-level MLE")
    assert _slots(await _say(advisor, "I'm based in Canada", 1))[0] == "set_market"
    reply = await _say(advisor, "what's my salary range", 2)
    assert _slots(reply) == ("salary", "mid", None, "canada")


async def test_follow_ups_change_only_what_they_name(advisor: Advisor) -> None:
    assert _slots(await _say(advisor, "what skills for senior?")) == (
        "skills",
        "senior",
        None,
        None,
    )
    assert _slots(await _say(advisor, "and salary?", 1)) == ("salary", "senior", None, None)
    assert _slots(await _say(advisor, "what about in London?", 2)) == (
        "salary",
        "senior",
        None,
        "uk",
    )
    assert _slots(await _say(advisor, "and for staff?", 3)) == ("salary", "staff", None, "uk")


async def test_get_there_is_the_move_to_the_level_just_discussed(advisor: Advisor) -> None:
    await _say(advisor, "I'm a senior ML engineer")
    await _say(advisor, "tell me about the staff level", 1)
    reply = await _say(advisor, "how long will it take me to get there?", 2)
    assert _slots(reply)[:3] == ("timeline", "staff", "senior")
    assert "senior" in reply.answer.heading.lower() and "staff" in reply.answer.heading.lower()


async def test_a_correction_keeps_the_level_stated_not_the_one_denied(advisor: Advisor) -> None:
    await _say(advisor, "I'm a senior MLE")
    assert _slots(await _say(advisor, "sorry, I meant mid not senior", 1)) == (
        "set_level",
        "mid",
        None,
        None,
    )
    assert (await advisor.profile(7)).level == "mid"


async def test_a_correction_after_a_question_corrects_the_question_not_the_profile(
    advisor: Advisor,
) -> None:
    await _say(advisor, "salary for senior in london", user=8)
    reply = await _say(advisor, "oops i meant junior", 1, user=8)
    assert _slots(reply) == ("salary", "junior", None, "uk")
    assert (await advisor.profile(8)).level is None


async def test_a_question_about_a_level_after_stating_ones_own_changes_nothing(
    advisor: Advisor,
) -> None:
    for i, text in enumerate(["and staff?", "what about staff?", "staff?"]):
        await _say(advisor, "I'm a senior MLE", user=20 + i)
        reply = await _say(advisor, text, 1, user=20 + i)
        assert reply.query.intent != "set_level", text
        assert (await advisor.profile(20 + i)).level == "senior", text


async def test_next_level_is_the_one_above_the_users(advisor: Advisor) -> None:
    await _say(advisor, "I'm a mid-level MLE")
    assert _slots(await _say(advisor, "what skills do I need for the next level", 1))[:2] == (
        "skills",
        "senior",
    )
    reply = await _say(advisor, "how long to the next level", 2)
    assert _slots(reply)[:3] == ("timeline", "senior", "mid")


async def test_a_company_level_follow_up_keeps_the_company(advisor: Advisor) -> None:
    first = await _say(advisor, "what is L5 at Google?")
    assert _slots(first)[:2] == ("level_mapping", "senior")
    assert _slots(await _say(advisor, "and L6?", 1))[:2] == ("level_mapping", "staff")
    await _say(advisor, "what is 63 at microsoft", 2)
    assert _slots(await _say(advisor, "and 67", 3))[:2] == ("level_mapping", "staff")
    # Without the thread, a bare number is no company level.
    assert _slots(await _say(advisor, "and 67", 40))[0] != "level_mapping"


async def test_the_company_of_the_thread_does_not_make_every_level_a_company_one(
    advisor: Advisor,
) -> None:
    await _say(advisor, "what is L7 at Amazon?")
    reply = await _say(advisor, "how is that different from a senior?", 1)
    assert _slots(reply)[:3] == ("compare_levels", "staff", "senior")


async def test_two_company_levels_are_a_move_between_them(advisor: Advisor) -> None:
    reply = await _say(advisor, "I'm L4 at Google, how do I get to L5?")
    assert _slots(reply)[:3] == ("promotion", "senior", "mid")
    assert (await advisor.profile(7)).level == "mid"


async def test_a_move_and_a_what_if_name_places_differently(advisor: Advisor) -> None:
    reply = await _say(advisor, "moving from the bay area to melbourne in august")
    assert _slots(reply) == ("set_market", None, None, "australia")
    await _say(advisor, "I'm a mid level MLE", 1)
    await _say(advisor, "what's my salary?", 2)
    reply = await _say(advisor, "and if I moved to Toronto?", 3)
    assert _slots(reply) == ("salary", "mid", None, "canada")
    # A what-if is not a move: the stored market stays.
    assert (await advisor.profile(7)).market == "australia"


async def test_weighing_a_move_does_not_move_the_user(advisor: Advisor) -> None:
    await _say(advisor, "I'm a junior in London")
    await _say(advisor, "is it worth moving from london to toronto?", 1)
    await _say(advisor, "should i go from london to toronto", 2)
    assert (await advisor.profile(7)).market == "uk"
    assert _slots(await _say(advisor, "london salary compared to toronto", 3))[3] == "uk"


async def test_my_pay_is_for_my_level_whatever_was_discussed(advisor: Advisor) -> None:
    await _say(advisor, "I'm a junior")
    await _say(advisor, "what does a senior earn in london?", 1)
    assert _slots(await _say(advisor, "what should my salary be?", 2))[:2] == ("salary", "junior")


async def test_numbers_after_a_company_level_are_not_levels(advisor: Advisor) -> None:
    await _say(advisor, "what is 63 at microsoft")
    assert _slots(await _say(advisor, "i'm 35, is it too late?", 1))[0] != "level_mapping"
    assert _slots(await _say(advisor, "i work 50 hours a week", 2))[0] != "level_mapping"


async def test_a_topic_that_goes_on_keeps_its_level(advisor: Advisor) -> None:
    await _say(advisor, "I'm a mid level MLE")
    await _say(advisor, "what should my resume have when applying for senior roles", 1)
    reply = await _say(advisor, "should I list kaggle projects on my resume", 2)
    assert _slots(reply)[:2] == ("resume", "senior")
    await _say(advisor, "what do staff engineers earn", 3)
    assert _slots(await _say(advisor, "and one level up?", 4))[:2] == ("salary", "principal")


async def test_years_of_another_job_are_not_a_level(advisor: Advisor) -> None:
    reply = await _say(advisor, "I've been a secondary school teacher for 12 years, any advice?")
    assert reply.query.intent == "out_of_scope"
    assert (await advisor.profile(7)).level is None


async def test_context_older_than_30_minutes_is_not_used(advisor: Advisor) -> None:
    await _say(advisor, "what skills for staff?")
    assert _slots(await _say(advisor, "and salary?", 29))[1] == "staff"
    await _say(advisor, "what skills for staff?", 40)
    reply = await _say(advisor, "and salary?", 40 + 31)
    assert _slots(reply)[:2] == ("salary", None)


async def test_personal_questions_ask_for_the_level_then_answer(advisor: Advisor) -> None:
    reply = await _say(advisor, "what should I do next?")
    assert reply.query.intent == "next_steps" and reply.query.level is None
    assert "level" in reply.answer.heading.lower()
    reply = await _say(advisor, "mid", 1)
    assert _slots(reply)[:2] == ("next_steps", "mid")
    assert "Next steps" in reply.answer.heading
    reply = await _say(advisor, "I feel stuck", 2)
    assert _slots(reply)[:2] == ("stuck", "mid")


async def test_forget_deletes_everything_at_once(advisor: Advisor, storage: Storage) -> None:
    await _say(advisor, "I have 3 years of experience, based in London")
    profile, context = await storage.load(7)
    assert profile.level == "mid" and profile.market == "uk" and context is not None
    reply = await _say(advisor, "forget me", 1)
    assert reply.query.intent == "forget" and reply.pending == "forget"
    assert (await storage.load(7))[0].level == "mid"  # nothing goes before the "yes"
    reply = await _say(advisor, "yes", 1.5)
    assert "deleted" in reply.answer.heading.lower()
    profile, context = await storage.load(7)
    assert (profile.level, profile.market, context) == (None, None, None)
    reply = await _say(advisor, "how much should I earn?", 2)
    assert _slots(reply)[:2] == ("salary", None)


async def test_users_do_not_share_memory(advisor: Advisor) -> None:
    await _say(advisor, "I'm a staff engineer", user=1)
    await _say(advisor, "I'm a junior", user=2)
    assert (await _say(advisor, "my salary?", 1, user=1)).query.level == "staff"
    assert (await _say(advisor, "my salary?", 1, user=2)).query.level == "junior"


async def test_memory_survives_a_restart(
    kb: KnowledgeBase, pipeline: Pipeline, tmp_path: Path
) -> None:
    path = tmp_path / "bot.sqlite3"
    store = await Storage.open(path)
    await Advisor(kb, store, pipeline).ask(5, "I have 9 years experience and live in Sydney", NOW)
    await store.close()
    store = await Storage.open(path)
    try:
        reply = await Advisor(kb, store, pipeline).ask(
            5, "what should I earn?", NOW + timedelta(days=3)
        )
        assert _slots(reply) == ("salary", "staff", None, "australia")
    finally:
        await store.close()


async def test_out_of_scope_reply_is_kind_and_suggests(advisor: Advisor) -> None:
    reply = await _say(advisor, "how do I become a doctor")
    assert reply.query.intent == "out_of_scope"
    text = advisor.plain(reply.answer)
    assert "outside" in text and "What skills for senior?" in text
    assert reply.answer.suggestions


async def test_close_intents_get_a_did_you_mean(kb_copy: Path, storage: Storage) -> None:
    advisor = Advisor(_with_shared_example(kb_copy), storage)
    reply = await _say(advisor, "zorble quandary flumph")
    assert reply.clarify
    assert reply.answer.heading.startswith("Did you mean")
    assert {s.query.intent for s in reply.answer.suggestions} == set(reply.clarify)


async def test_button_queries_answer_without_matching(advisor: Advisor) -> None:
    reply = await _say(advisor, "skills for junior")
    follow = reply.answer.suggestions[0]
    answered = await advisor.run(7, follow.query, NOW)
    assert answered.query == follow.query
    assert (await _say(advisor, "and in the uk?", 1)).query.intent == follow.query.intent
