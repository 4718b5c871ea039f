"""Answers: every intent at every level and market renders, fits Telegram, cites sources, and
suggests follow-ups that the matcher understands."""

from __future__ import annotations

import itertools

import pytest

from bot.answering import render
from bot.answering.answer import Answer, Block, Line
from bot.answering.answers import Answers
from bot.answering.chat_replies import ChatReplies
from bot.answering.pay import money, money_range
from bot.domain import Profile, Query
from bot.knowledge.model import KnowledgeBase
from bot.understanding.pipeline import Pipeline
from tests import tghtml


def _knowledge_intents(kb: KnowledgeBase) -> list[str]:
    """The intents answered from the knowledge base (a builder or a topic)."""
    return [i.id for i in kb.intents.values() if i.answer.kind in ("builder", "topic")]


def _all_answers(kb: KnowledgeBase) -> list[tuple[Query, Answer]]:
    answers = Answers(kb)
    levels = [None, *kb.levels]
    markets = [None, *kb.markets]
    out = []
    for intent, level, market in itertools.product(_knowledge_intents(kb), levels, markets):
        if kb.intents[intent].slots.needs_level and level is None:
            continue  # the advisor asks for the level first
        from_level = kb.previous_level(level) if level else None
        query = Query(intent, level, from_level, market)
        out.append((query, answers.build(query, Profile(1, level, market))))
    return out


def test_every_answer_renders_within_telegrams_limits(kb: KnowledgeBase) -> None:
    for query, answer in _all_answers(kb):
        plain = render.plain(answer, kb.sources)
        html = render.html(answer, kb.sources)
        assert 0 < len(plain) <= 4096, query
        visible = tghtml.parse(html)  # raises if Telegram would reject it
        assert 0 < tghtml.utf16_len(visible) <= 4096, query
        assert answer.heading and (answer.blocks or answer.note or answer.lead), query
        assert len(answer.suggestions) <= 3


def test_answers_are_short_and_scannable(kb: KnowledgeBase) -> None:
    sizes = sorted(len(render.plain(a, kb.sources)) for _, a in _all_answers(kb))
    assert sizes[len(sizes) // 2] < 2000  # median answer fits on a phone screen or two
    assert all(
        len(line.text) < 300 for _, a in _all_answers(kb) for b in a.blocks for line in b.lines
    )


def test_every_bullet_from_the_knowledge_base_carries_a_source(kb: KnowledgeBase) -> None:
    for query, answer in _all_answers(kb):
        text = render.plain(answer, kb.sources)
        if answer.source_ids():
            assert "Sources: [1]" in text, query


def test_suggestions_are_questions_the_matcher_understands(
    kb: KnowledgeBase, pipeline: Pipeline
) -> None:
    seen = set()
    for _, answer in _all_answers(kb):
        for suggestion in answer.suggestions:
            if suggestion.label in seen:
                continue
            seen.add(suggestion.label)
            match = pipeline.match(suggestion.label)
            q = suggestion.query
            assert match.intent == q.intent, (suggestion.label, match.candidates)
            if q.level:
                assert match.slots.level == q.level, suggestion.label
            if q.from_level:
                assert match.slots.from_level == q.from_level, suggestion.label
            if q.market:
                assert match.slots.market == q.market, suggestion.label
    assert len(seen) > 40


def test_salary_answer_opens_with_the_range_and_shows_each_sources_figure(
    kb: KnowledgeBase,
) -> None:
    answer = Answers(kb).build(Query("salary", "senior", None, "us"), Profile(1))
    text = render.plain(answer, kb.sources)
    bands = [b for b in kb.bands if b.level == "senior" and b.market == "us"]
    for band in bands:
        assert money_range(band.min, band.max, band.open_ended, band.currency) in text
        assert kb.sources[band.source].short in text
    # The headline: the range across the sources naming the country, and how many they are;
    # then those naming none; one bullet per source; one caveat line; a one-line footer.
    lines = text.splitlines()
    assert (
        lines[0]
        == "Senior ML engineer pay in United States: $200k–$400k (two sources, three figures)"
    )
    assert lines[1] == "Two more sources give $160k–$280k without naming a country."
    bullets = [line for line in lines if line.startswith("• ") and ": $" in line]
    assert len(bullets) == len({b.source for b in bands})
    assert all(len(b) < 110 for b in bullets), bullets
    assert sum(line.startswith("• Careful: ") for line in lines) == 1
    (footer,) = [line for line in lines if line.startswith("Sources: ")]
    assert len(footer) < 120 and "“" not in footer


def test_salary_for_a_market_the_sources_do_not_cover_says_so(kb: KnowledgeBase) -> None:
    covered = {(b.level, b.market) for b in kb.bands}
    level, market = next((lv, m) for lv in kb.levels for m in kb.markets if (lv, m) not in covered)
    answer = Answers(kb).build(Query("salary", level, None, market), Profile(1))
    # Said first: it is the answer to the question asked.
    assert answer.heading.endswith(": no source has a figure")


def test_personal_lead_when_the_profile_fits(kb: KnowledgeBase) -> None:
    answers = Answers(kb)
    mine = answers.build(Query("skills", "mid", None, "uk"), Profile(1, "mid", "uk"))
    assert mine.lead == "For you as a mid-level ML engineer in United Kingdom:"
    other = answers.build(Query("skills", "staff"), Profile(1, "mid", "uk"))
    assert other.lead is None


def test_timeline_says_when_the_sources_give_no_figure(kb: KnowledgeBase) -> None:
    answer = Answers(kb).build(Query("timeline", "principal", "staff"), Profile(1))
    assert answer.note and "no typical timeline" in answer.note


def test_money_formatting() -> None:
    assert money(140000, "USD") == "$140k"
    assert money(55000, "GBP") == "£55k"
    assert money_range(245000, None, True, "USD") == "$245k+"
    assert money_range(400000, 700000, True, "USD") == "$400k–$700k+"
    assert money(1_500_000, "AUD") == "A$1.5m"


def test_html_escapes_every_dynamic_piece(kb: KnowledgeBase) -> None:
    nasty = "<b>x</b> & <script>alert(1)</script> < >"
    answer = Answer(nasty, nasty, (Block(nasty, (Line(nasty),)),), (), nasty)
    html = render.html(answer, kb.sources)
    assert tghtml.parse(html).count(nasty) == 5  # heading, lead, title, bullet, note


def test_overlong_answers_are_trimmed_by_dropping_bullets(kb: KnowledgeBase) -> None:
    long_block = Block("Many", tuple(Line(f"bullet {i} " + "x" * 200) for i in range(60)))
    answer = Answer("Heading", None, (long_block,))
    html = render.html(answer, kb.sources)
    plain = render.plain(answer, kb.sources)
    assert len(html) <= 4096 and len(plain) <= 4096
    assert "bullet 0 " in plain and "bullet 59" not in plain
    tghtml.parse(html)


@pytest.mark.parametrize("intent", ["greeting", "help", "out_of_scope"])
def test_chat_replies_render(kb: KnowledgeBase, intent: str) -> None:
    replies = ChatReplies(Answers(kb))
    builder = {
        "greeting": replies.greeting,
        "help": replies.help,
        "out_of_scope": replies.out_of_scope,
    }
    for profile in (Profile(1), Profile(1, "senior", "uk")):
        answer = builder[intent](profile)
        tghtml.parse(render.html(answer, kb.sources))
        assert render.plain(answer, kb.sources)
