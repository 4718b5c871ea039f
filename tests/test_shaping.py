"""Answers in phone-sized pages, and a topic's sections in the order a question needs them."""

from __future__ import annotations

from bot.answering.answer import Answer, Block, Line
from bot.answering.shaping import MORE, page, pages, relevant_sections
from bot.knowledge.model import Item, Section


def _block(title: str, n: int) -> Block:
    return Block(title, tuple(Line(f"{title} {i}") for i in range(n)))


def test_long_answers_come_a_screen_at_a_time_and_blocks_stay_whole() -> None:
    answer = Answer("Heading", "Lead", (_block("A", 4), _block("B", 4), _block("C", 4)))
    split = pages(answer)
    assert [[b.title for b in p] for p in split] == [["A", "B"], ["C"]]
    first, more = page(answer, 0)
    assert more and first.choices[0] == MORE and first.lead == "Lead"
    assert 2 + sum(len(b.lines) + 1 for b in first.blocks) <= 12
    last, more = page(answer, 1)
    assert not more and last.heading == "Heading (continued)" and last.lead is None
    assert page(answer, 7)[0].blocks == last.blocks  # past the end: the last page


def test_a_block_longer_than_a_screen_is_split() -> None:
    answer = Answer("H", None, (_block("Long", 25),))
    split = pages(answer)
    assert sum(len(b.lines) for p in split for b in p) == 25
    assert all(sum(len(b.lines) + 1 for b in p) <= 11 for p in split)


def test_short_answers_are_one_page() -> None:
    answer = Answer("H", "L", (_block("A", 3),))
    shown, more = page(answer, 0)
    assert shown == answer and not more


def test_sections_sharing_the_questions_words_come_first() -> None:
    sections = [
        Section("Courses", None, (Item("fast.ai and coursera courses", ("a",)),)),
        Section("Portfolio", None, (Item("build projects that deploy models", ("a",)),)),
        Section(
            "From data science",
            None,
            (Item("learn software engineering", ("a",)),),
            ("data_science",),
        ),
        Section(
            "From software",
            None,
            (Item("learn ml fundamentals", ("a",)),),
            ("software_engineering",),
        ),
    ]
    # Without a section for one's own field, every field's section stays: it may help.
    ordered = relevant_sections(sections, {"projects", "portfolio"}, str.split)
    assert [s.title for s in ordered] == ["Portfolio", "Courses", "From data science",
                                          "From software"]  # fmt: skip
    ordered = relevant_sections(sections, {"courses"}, str.split, "data_science")
    assert [s.title for s in ordered] == ["From data science", "Courses", "Portfolio"]


def test_sections_are_chosen_by_what_is_asked_about_not_how() -> None:
    sections = [
        Section(
            "Motivation", None, (Item("what keeps you going when you have a plateau", ("a",)),)
        ),
        Section("Burnout", None, (Item("burn out is chronic stress at work", ("a",)),)),
    ]
    question = {"how", "do", "you", "keep", "from", "burning", "out", "what"}
    # "you", "what", "how" say how it is asked: without them "keep" and "burning" are left, and
    # "burning" shares its stem with "burn-out".
    ordered = relevant_sections(sections, question, str.split, ignore={"how", "do", "you", "what"})
    assert [s.title for s in ordered] == ["Burnout", "Motivation"]
    # With every word counted, the asking words pull the other way.
    assert relevant_sections(sections, question, str.split)[0].title == "Motivation"
    # Short words match whole: "ai" is not "aim".
    aims = [Section("Aims", None, (Item("aim high", ("a",)),)),
            Section("AI", None, (Item("ai roles", ("a",)),))]  # fmt: skip
    assert relevant_sections(aims, {"ai"}, str.split)[0].title == "AI"
