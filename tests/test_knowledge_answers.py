"""What the sources say, level by level and market by market, through the real advisor: bands of
several levels, countries and bases, uncovered markets, disagreements, our own advice, the
Microsoft caveat, and the answers the understanding can pick (years for a level, titles)."""

from __future__ import annotations

from datetime import timedelta

from bot.advisor import Advisor, Reply
from bot.answering import render
from bot.answering.shaping import MORE
from bot.coaching import plans
from bot.domain import Profile, Query
from bot.knowledge.model import KnowledgeBase
from tests import tghtml
from tests.conftest import NOW


async def _say(advisor: Advisor, text: str, minutes: float = 0, user: int = 21) -> Reply:
    return await advisor.ask(user, text, NOW + timedelta(minutes=minutes))


def _text(advisor: Advisor, reply: Reply) -> str:
    return advisor.plain(reply.answer)


def _block(reply: Reply, title: str) -> str:
    return "\n".join(
        line.text for block in reply.answer.blocks if block.title == title for line in block.lines
    )


# -- bands of several levels ----------------------------------------------------------------


async def test_principal_in_london_shows_the_uk_staff_plus_band(advisor: Advisor) -> None:
    reply = await _say(advisor, "How much does a principal ML engineer make in London?")
    assert (reply.intent, reply.query.level, reply.query.market) == ("salary", "principal", "uk")
    text = _text(advisor, reply)
    assert "Resume-builder guide: £150k–£250k+ (Staff+, London), total comp" in text
    assert "no source has" not in text


async def test_us_principal_includes_the_staff_plus_and_lead_bands(advisor: Advisor) -> None:
    reply = await _say(advisor, "how much does a principal mle make in the US?")
    text = _text(advisor, reply)
    assert text.startswith("Principal ML engineer pay in United States: $245k–$700k+")
    assert "Resume-builder guide: $500k+ (top US tech companies), $400k–$700k+ (Staff+, " \
        "Bay Area / New York), total comp" in text  # fmt: skip
    assert "Career-ladder page: $220k–$350k+ (Lead level), no country named" in text
    assert "2026 career blog: $250k–$400k+ (Staff+), no country named" in text
    assert "$245K salary article: $245k+ ($245K threshold, top-tier tech companies)" in text


# -- countries and bases ----------------------------------------------------------------------


async def test_dollar_figures_with_no_named_country_are_not_shown_as_the_us(
    advisor: Advisor,
) -> None:
    reply = await _say(advisor, "senior mle salary in the us")
    answer = reply.answer
    # The headline range is the figures naming the US; the others are counted apart.
    assert answer.heading == "Senior ML engineer pay in United States: $200k–$400k (two " \
        "sources, three figures)"  # fmt: skip
    assert answer.lead == "Two more sources give $160k–$280k without naming a country."
    rows = [line.text for line in answer.blocks[0].lines]
    unnamed = [r for r in rows if r.endswith("no country named")]
    assert [r.split(":")[0] for r in unnamed] == ["Career-ladder page", "2026 career blog"]
    assert "Resume-builder guide: $200k–$350k (top-tier companies), $280k–$400k (Bay Area / " \
        "New York), total comp" in rows  # fmt: skip
    assert rows.index(unnamed[0]) > max(rows.index(r) for r in rows if "Resume-builder" in r)
    (careful,) = [r for r in rows if r.startswith("Careful: ")]
    assert "two figures name no country" in careful
    assert "don't say whether they are base salary or total comp" in careful


async def test_the_pay_overview_keeps_named_and_unnamed_countries_apart(
    advisor: Advisor,
) -> None:
    reply = await _say(advisor, "what do ml engineers earn?")
    assert reply.intent == "salary" and reply.query.level is None
    text = _text(advisor, reply)
    assert "Junior ML engineer: $130k–$180k in United States (2 sources); $70k–$140k, no country " \
        "named (2 sources)" in text  # fmt: skip
    assert "the guide does not say which nation" in text  # the median names no country either


# -- markets no source covers -----------------------------------------------------------------


async def test_a_market_no_source_covers_is_named_and_said_to_have_no_figures(
    advisor: Advisor,
) -> None:
    reply = await _say(advisor, "How much do ML engineers make in Berlin?")
    assert (reply.intent, reply.query.market) == ("salary", "germany")
    answer = reply.answer
    assert answer.heading == "ML engineer pay in Germany: no source has figures"
    first = answer.blocks[0].lines[0].text
    assert first.startswith("None of the sources has pay figures for Germany")
    # The closest figures there are, never presented as Germany's.
    assert answer.blocks[1].title == (
        "For comparison only, not figures for Germany: United Kingdom"
    )
    assert "£" in answer.blocks[1].lines[0].text and "€" not in _text(advisor, reply)


async def test_an_uncovered_market_as_a_follow_up(advisor: Advisor) -> None:
    await _say(advisor, "what does a senior mle make in london")
    reply = await _say(advisor, "what about germany", 1)
    assert (reply.intent, reply.query.level, reply.query.market) == ("salary", "senior", "germany")
    assert "Senior ML engineer pay in Germany" in _text(advisor, reply)
    reply = await _say(advisor, "and in bangalore?", 2)
    assert reply.query.market == "india"
    assert "None of the sources has pay figures for India" in _text(advisor, reply)


# -- disagreements, shown where the facts are ------------------------------------------------


async def test_disagreements_are_shown_with_the_facts(advisor: Advisor) -> None:
    cases = {
        "what skills does a junior mle need?": "Sources differ on deep learning frameworks",
        "what does a mid level ml engineer do": "Sources differ on when mentoring starts",
        "soft skills for a mid level mle": "Sources differ on mentoring",
        "which ml specialization should I pick": "Sources differ on LLM skills",
        "what does a staff mle do": "Sources differ on “lead”",
        "how long from junior to mid": "at about 3 ($245K article, mid 3–5)",
        "tell me about the principal level": "the ladder page at its Lead level",
        "staff mle salary in the us": "the $245K article first calls $245K the top package",
    }
    for minute, (question, expected) in enumerate(cases.items()):
        reply = await _say(advisor, question, 31 * minute, user=22 + minute)
        # The whole answer, a phone screen at a time: pages never split a block, so a
        # disagreement always comes with the facts it is about.
        text = _text(advisor, reply)
        while MORE in reply.answer.choices:
            reply = await _say(advisor, "more", 31 * minute, user=22 + minute)
            text += "\n" + _text(advisor, reply)
        assert expected in text, (question, text)


async def test_the_microsoft_caveat_comes_with_any_microsoft_level(advisor: Advisor) -> None:
    reply = await _say(advisor, "what is Google L5 at Microsoft?")
    text = _text(advisor, reply)
    assert "Microsoft: 63–64" in text
    assert "Sources differ on Microsoft: some tables put Google L5 at Microsoft 62–63" in text
    for question in ("microsoft 63", "senior at big tech", "big tech levels", "what is E5?"):
        reply = await _say(advisor, question, 1, user=30)
        assert "Sources differ on Microsoft" in _text(advisor, reply), question


# -- our own advice -------------------------------------------------------------------------


async def test_a_tip_is_shown_as_our_suggestion(advisor: Advisor, kb: KnowledgeBase) -> None:
    tip = kb.tips[0]
    answer = advisor.replies.nudge(tip, 0)
    plain = render.plain(answer, kb.sources)
    assert plain.count("Our suggestion, building on [1].") == 1
    assert "Sources: [1]" in plain
    html = tghtml.parse(render.html(answer, kb.sources))
    assert "Our suggestion, building on [1]." in html


async def test_plan_lines_on_how_to_show_it_are_our_suggestions(
    advisor: Advisor, kb: KnowledgeBase
) -> None:
    await _say(advisor, "I'm a mid-level MLE")
    reply = await _say(advisor, "my plan", 1)
    next_up = _block(reply, "Next")
    assert next_up.startswith(kb.plans["mid"].items[0].name)
    assert "How to show it:" in _text(advisor, reply)
    assert "Our suggestion, building on [" in _text(advisor, reply)
    export = plans.markdown(kb, kb.plans["mid"], {}, NOW)
    assert "_Our suggestion, building on them._" in export
    assert ")_\n" not in export  # no source mark after our own lines


# -- answers the understanding can pick ------------------------------------------------------


async def test_years_of_experience_for_a_level(advisor: Advisor) -> None:
    answer = advisor.answers.build(Query("experience", "senior"), Profile(1))
    text = advisor.plain(answer)
    assert answer.heading == "Years of experience for a senior ML engineer"
    assert "Three sources agree: 5–8 years." in text
    assert "Sources differ at 8 years: senior in three" in text
    assert "typically 3–4 years" not in text  # the time of a move is another question
    junior = advisor.plain(advisor.answers.experience(Query("experience", "junior"), Profile(1)))
    assert "0–2 years [" in junior and "1–2 years [" in junior
    principal = advisor.answers.experience(Query("experience", "principal"), Profile(1))
    assert "None of the sources gives years of experience" in advisor.plain(principal)


async def test_what_lead_means_in_each_source_and_its_pay(advisor: Advisor) -> None:
    answer = advisor.answers.title_readings("lead", Query("salary", None, None, "uk"), Profile(1))
    text = advisor.plain(answer)
    assert "the level depends on the company" in answer.heading
    for level in ("Mid-level ML engineer: ", "Senior ML engineer: ", "Staff ML engineer: "):
        assert level in _block_of(answer, "How the sources use it"), level
    assert "Sources differ on what “lead” means" in text
    assert "Staff ML engineer: £150k–£250k+ in United Kingdom (1 source)" in text


def _block_of(answer: object, title: str) -> str:
    blocks = getattr(answer, "blocks", ())
    return "\n".join(line.text for b in blocks if b.title == title for line in b.lines)


async def test_eight_years_of_experience_is_senior(advisor: Advisor) -> None:
    reply = await _say(advisor, "I have 8 years of experience")
    assert (reply.intent, reply.query.level) == ("set_level", "senior")
    reply = await _say(advisor, "I'm a tech lead", 1, user=40)
    assert (await advisor.profile(40)).level is None  # asked, never set to staff


async def test_a_user_in_an_uncovered_market_is_told_what_to_expect(advisor: Advisor) -> None:
    reply = await _say(advisor, "I'm based in Berlin")
    assert (reply.intent, reply.query.market) == ("set_market", "germany")
    assert reply.answer.heading == "Got it: you work in Germany."
    assert "No source has pay figures for Germany" in (reply.answer.lead or "")
    await _say(advisor, "I'm a senior mle", 1)
    reply = await _say(advisor, "what's my salary range", 2)
    assert (reply.query.level, reply.query.market) == ("senior", "germany")
    assert reply.answer.blocks[0].lines[0].text.startswith("None of the sources has pay figures")


async def test_how_many_years_to_be_senior_through_the_advisor(advisor: Advisor) -> None:
    reply = await _say(advisor, "how many years to be senior?", user=50)
    text = _text(advisor, reply)
    # The step, and the years of experience in total that three sources give senior.
    assert "Mid → senior: typically 3–4 years" in text
    assert "Years of experience in total:\n• Senior ML engineer: 5–8 years" in text


async def test_a_question_about_a_title_gets_each_sources_reading_and_pay(
    advisor: Advisor,
) -> None:
    reply = await _say(advisor, "how much does a tech lead make", user=51)
    text = _text(advisor, reply)
    assert reply.answer.heading == "“Tech lead / ML lead”: the level depends on the company"
    for level in ("Mid-level ML engineer: ", "Senior ML engineer: ", "Staff ML engineer: "):
        assert level in text
    assert "Pay at those levels in United States" in text
    assert (await advisor.storage.load(51))[0].level is None  # a question changes nothing
