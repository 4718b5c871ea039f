"""The knowledge base: the real one is complete and sourced; broken copies fail with file:line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answering import moves, render
from bot.answering.answer import Answer, Block
from bot.cli.main import main
from bot.knowledge import loader, readings
from bot.knowledge.model import Item, KnowledgeBase
from bot.knowledge.yamlnodes import KnowledgeError

LEVELS = ("aspiring", "junior", "mid", "senior", "staff", "principal")
# The source documents, beside the checkout (CI clones elsewhere: the test is then skipped).
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SOURCES = SHARED / "sources"
MAPPING = SHARED / "level-mapping.md"


JSON_INTENTS = (
    "skills", "salary", "timeline", "promotion", "level_overview", "compare_levels", "next_steps",
    "stuck", "ic_vs_management", "switch_company", "interviews", "resume", "certifications",
    "getting_started", "role", "specialization", "soft_skills", "pitfalls", "accelerate",
    "pros_cons", "set_level", "set_market", "greeting", "help", "nudges", "forget", "plan",
    "level_mapping", "profile", "undo", "out_of_scope", "small_talk", "job_offer", "job_market",
    "research_path", "ai_engineering", "wellbeing", "more",
)  # fmt: skip


def test_real_knowledge_base_covers_the_product(kb: KnowledgeBase) -> None:
    assert list(kb.levels) == list(LEVELS)
    assert {m.id for m in kb.covered_markets} == {"us", "uk", "canada", "australia"}
    # The JSON interface reports these intent names: they are a contract (README).
    assert set(kb.intents) == set(JSON_INTENTS)
    for spec in kb.intents.values():
        assert spec.answer.topic is None or spec.answer.topic in kb.topics, spec.id
    for pair in [("junior", "mid"), ("mid", "senior"), ("senior", "staff"), ("staff", "principal")]:
        assert pair in kb.transitions
    # Every level has something in each section the answers read.
    for level in kb.levels.values():
        assert level.technical_skills and level.soft_skills and level.focus and level.learning
        assert level.responsibilities and level.summary.text


def test_markets_no_source_covers_are_known_as_such(kb: KnowledgeBase) -> None:
    uncovered = {"germany", "france", "netherlands", "india", "singapore", "ireland",
                 "switzerland", "spain", "poland", "sweden", "japan", "brazil"}  # fmt: skip
    assert uncovered <= {m.id for m in kb.markets.values() if not m.covered}
    assert "berlin" in kb.markets["germany"].aliases
    assert "bangalore" in kb.markets["india"].aliases
    assert not any(b.market in uncovered for b in kb.bands)
    # A comparison market is one with figures.
    assert all(kb.markets[m.compare_with].covered for m in kb.markets.values() if m.compare_with)


def test_titles_whose_level_depends_on_the_company_are_not_level_aliases(
    kb: KnowledgeBase,
) -> None:
    aliases = {a for level in kb.levels.values() for a in level.aliases}
    for title in ("lead", "a lead", "tech lead", "ml lead", "head of ai", "head of ml",
                  "ml architect", "an architect", "lead engineer"):  # fmt: skip
        assert title not in aliases, title
    assert {"lead", "tech_lead", "head_of_ai", "architect"} <= set(kb.titles)
    assert "staff+" in kb.levels["staff"].aliases and "new grad" in kb.levels["junior"].aliases
    assert "distinguished" in kb.levels["principal"].aliases


def test_lead_has_the_four_readings_of_the_sources_and_says_they_differ(
    kb: KnowledgeBase,
) -> None:
    lead = kb.titles["lead"]
    readings = {(r.level, r.scope, r.item.sources) for r in lead.readings}
    assert readings == {
        ("mid", "project", ("blog_2026",)),
        ("senior", "project", ("rb_guide",)),
        ("staff", "organisation", ("ladder_page",)),
        ("staff", "organisation", ("job_guide",)),
    }
    assert lead.differ.differ and lead.differ.text.startswith("Sources differ")
    assert set(lead.differ.sources) == {"blog_2026", "rb_guide", "ladder_page", "job_guide"}


@pytest.mark.parametrize(
    ("text", "years", "level"),
    [
        ("I'm a tech lead at a startup", None, None),  # asked, never staff
        ("im a tech lead", None, None),
        ("I'm head of AI at a small startup", None, None),  # one source: not "most"
        ("lead of a 3-person team, 4 years in", 4, "mid"),
        ("I'm the tech lead on our recsys team", None, "senior"),
        ("i am team lead of 5 ml ppl", None, "senior"),
        ("lead ML engineer, 9 years", 9, "staff"),
        ("lead engineer setting direction across the company", None, "staff"),
        ("head of ai, 3 years of experience", 3, None),  # the years fit no reading: ask
    ],
)
def test_level_for_a_title_uses_the_context_or_asks(
    kb: KnowledgeBase, text: str, years: float | None, level: str | None
) -> None:
    title = readings.find_title(kb, text)
    assert title is not None, text
    assert readings.level_for_title(kb, title, text, years) == level


def test_team_size_and_scope_are_read_from_the_words(kb: KnowledgeBase) -> None:
    assert readings.team_size("lead of a 3-person team", kb.lexicon.teams) == 3
    assert readings.team_size("team of five", kb.lexicon.teams) == 5
    assert readings.team_size("about a dozen people on the data side", kb.lexicon.teams) == 12
    assert readings.team_size("I have 4 years", kb.lexicon.teams) is None
    assert readings.scope_of("on our recsys team", kb.lexicon.teams) == "team"
    assert readings.scope_of("company-wide ML standards", kb.lexicon.teams) == "organisation"
    assert readings.scope_of("at a startup", kb.lexicon.teams) is None


@pytest.mark.parametrize(
    ("years", "level", "differ"),
    [(0, "junior", False), (1, "junior", False), (2, "junior", True), (2.5, "mid", True),
     (3, "mid", False), (5, "mid", True), (6, "senior", False), (8, "senior", True),
     (9, "staff", True), (10, "staff", False), (15, "staff", False)],
)  # fmt: skip
def test_years_give_the_level_most_sources_give_and_say_where_they_differ(
    kb: KnowledgeBase, years: float, level: str, differ: bool
) -> None:
    assert kb.level_for_years(years) == level
    found, note = readings.level_and_note_for_years(kb, years)
    assert found == level
    assert (note is not None) == differ
    if note:
        assert note.differ and note.text.startswith(f"Sources differ at {years:g} years")
        assert note.text.endswith(f"most say {level}.")


def test_eight_years_is_senior_and_the_note_names_staff(kb: KnowledgeBase) -> None:
    _, note = readings.level_and_note_for_years(kb, 8)
    assert note is not None
    assert "senior in three" in note.text and "staff in two" in note.text
    _, note = readings.level_and_note_for_years(kb, 9)
    assert note is not None and "staff only from 10 years" in note.text


def test_bands_of_several_levels_belong_to_each(kb: KnowledgeBase) -> None:
    staff_plus = [b for b in kb.bands if b.label == "Staff+"]
    assert {b.market for b in staff_plus} == {"us", "uk"}
    assert all(b.levels == ("staff", "principal") for b in staff_plus)
    london = kb.bands_for("principal", "uk")
    assert [(b.source, b.min, b.label) for b in london] == [("rb_guide", 150000, "Staff+")]
    us = {(b.source, b.label) for b in kb.bands_for("principal", "us")}
    assert ("ladder_page", "Lead level") in us and ("rb_guide", "Staff+") in us
    assert ("blog_2026", "Staff+") in us and ("salary_245k", "$245K threshold") in us


def test_salaries_keep_every_sources_figure_and_their_disagreement(kb: KnowledgeBase) -> None:
    senior_us = kb.bands_for("senior", "us")
    assert len({b.source for b in senior_us}) >= 4
    assert len({(b.min, b.max) for b in senior_us}) >= 4  # they really differ
    assert kb.median is not None and kb.median.amount == 129000
    for market in kb.covered_markets:
        assert any(b.market == market.id for b in kb.bands), market
    assert kb.top_earners and kb.salary_caveats
    # Dollar figures whose source names no country are marked so.
    unnamed = {b.source for b in kb.bands if not b.country_named}
    assert unnamed == {"ladder_page", "blog_2026"}


def test_every_fact_names_defined_sources(kb: KnowledgeBase) -> None:
    # The loader rejects unknown ids; here: every defined source is used by some fact.
    used = {s for b in kb.bands for s in [b.source]}
    used |= {
        s for t in kb.topics.values() for sec in t.sections for i in sec.items for s in i.sources
    }
    used |= {s for r in kb.ladders.rungs for s in r.sources}
    used |= {s for item, _ in kb.ladders.caveats for s in item.sources}
    used |= {s for p in kb.plans.values() for i in p.items for s in i.sources}
    used |= {s for t in kb.tips for s in t.based_on}
    assert set(kb.sources) <= used | {kb.median.source if kb.median else ""}


def _all_items(kb: KnowledgeBase) -> list[Item]:
    items = [i for t in kb.topics.values() for s in t.sections for i in s.items]
    for level in kb.levels.values():
        items += [*level.titles, level.summary, *level.responsibilities, *level.technical_skills,
                  *level.soft_skills, *level.focus, *level.learning, *level.notes]  # fmt: skip
    for step in kb.transitions.values():
        items += [*step.focus, *step.skills_to_add, *step.soft_skills, *step.interviews,
                  *step.how_to_advance, *step.notes]  # fmt: skip
    items += [*kb.top_earners, *(c.item for c in kb.salary_caveats)]
    items += [item for item, _ in kb.ladders.caveats]
    items += [t.differ for t in kb.titles.values()]
    return items


@pytest.mark.parametrize(
    ("about", "words"),
    [
        ("LLM skills: premium vs expectation", ("llm", "premium", "expected")),
        ("when deep-learning frameworks are learned", ("frameworks", "first job")),
        ("when mentoring starts", ("mentoring", "mid", "senior")),
        ("what lead means", ("“lead”", "small projects", "multi-quarter", "top rung")),
        ("years at boundaries", ("staff", "decade")),
        ("the $245K article contradicting itself", ("$245k article", "top package", "within")),
        ("mid at about 3 years on that article", ("mid", "about 3", "$245k")),
        ("the ladder page has no principal level", ("principal", "ladder page", "lead level")),
        ("Microsoft mapping contested", ("microsoft", "62–63", "63–64")),
        ("when to specialise", ("specialise", "early", "mid to senior")),
        ("pay against the rest of tech", ("pay", "wider tech market")),
        ("when containers are expected", ("docker", "kubernetes")),
        ("when the IC/management fork comes", ("ic/management", "senior", "staff")),
    ],
)
def test_every_disagreement_has_a_sources_differ_item(
    kb: KnowledgeBase, about: str, words: tuple[str, ...]
) -> None:
    differ = [i.text.lower() for i in _all_items(kb) if i.differ]
    assert any(all(w in text for w in words) for text in differ), about
    assert all(t.startswith("sources differ") for t in differ)


def test_our_own_advice_is_marked_as_ours(kb: KnowledgeBase) -> None:
    assert kb.tips and all(t.based_on for t in kb.tips)
    assert not any(i.ours for i in _all_items(kb) if i.differ)


def test_sources_have_clean_publishers_and_one_count(kb: KnowledgeBase) -> None:
    assert kb.describe_sources() == (
        "five career guides, three compilations of big-tech levels and nine other public references"
    )
    for source in kb.sources.values():
        assert source.publisher is None or "not named" not in source.publisher.lower()
        assert source.citation.startswith(f"“{source.title}”")
    assert kb.sources["salary_245k"].publisher is None and kb.sources["salary_245k"].note
    assert kb.sources["rb_guide"].citation == (
        "“Machine Learning Engineer Career Path”, Resume Builder Team"
    )


@pytest.mark.skipif(not SOURCES.is_dir(), reason="source documents not available")
def test_no_text_copies_a_sentence_of_the_sources(
    kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kb check --sources`: no text shares a run of 8 words with a source document (or with
    the level mapping the translator is built from)."""
    targets = [str(SOURCES)]
    if MAPPING.is_file():
        targets.append(str(MAPPING))
    code = main(["kb", "check", str(kb.root), *(a for t in targets for a in ("--sources", t))])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 copied" in out


def test_copy_check_finds_a_copied_sentence_and_spares_quoted_names(
    kb_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    docs.joinpath("a.txt").write_text(
        "Designing Machine Learning Systems is a book. The quick brown fox jumps over the lazy "
        "dog near the river bank today.",
        encoding="utf-8",
    )
    docs.joinpath("README.md").write_text("The quick brown fox jumps over the lazy dog near")
    line = _edit(
        kb_copy / "topics.yaml",
        '"Designing Machine Learning Systems by Chip Huyen (O\'Reilly, 2022)"',
        '"Read Designing Machine Learning Systems, then: the quick brown fox jumps over the lazy '
        'dog near the river"',
    )
    assert main(["kb", "check", str(kb_copy), "--sources", str(docs)]) == 1
    out = capsys.readouterr().out
    assert f"topics.yaml:{line}: copied sentence, 12 words" in out
    assert "“the quick brown fox jumps over the lazy dog near the river” (a.txt)" in out
    assert "1 copied" in out
    # The book's title alone is a name, not a copied sentence.
    _edit(
        kb_copy / "topics.yaml",
        ", then: the quick brown fox jumps over the lazy dog near the river",
        "",
    )
    assert main(["kb", "check", str(kb_copy), "--sources", str(docs)]) == 0
    assert "0 copied" in capsys.readouterr().out


# -- broken copies --------------------------------------------------------------------------


def _problems(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        loader.load(directory)
    return [str(p) for p in info.value.problems]


def _edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace text in a file; returns the 1-based line of the first replacement."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


def test_yaml_syntax_error_names_file_and_line(kb_copy: Path) -> None:
    line = _edit(kb_copy / "levels.yaml", "  - id: mid\n", "  - id: mid\n    name: [unclosed\n")
    problems = _problems(kb_copy)
    assert len(problems) == 1
    # PyYAML notices the problem on the next line; the message also points at the opening one.
    assert re.match(rf".*levels\.yaml:{line + 2}: YAML syntax error: .*", problems[0]), problems
    assert f"while parsing a flow sequence at line {line + 1}" in problems[0]


def test_unknown_source_is_reported_where_it_is_used(kb_copy: Path) -> None:
    line = _edit(kb_copy / "topics.yaml", "sources: [rb_guide", "sources: [rb_gide")
    problems = _problems(kb_copy)
    assert any(
        f"topics.yaml:{line}:" in p and "unknown source 'rb_gide'" in p and "known:" in p
        for p in problems
    ), problems


def test_missing_required_key_and_misspelt_key(kb_copy: Path) -> None:
    line = _edit(kb_copy / "transitions.yaml", "    focus:", "    focsu:")
    problems = _problems(kb_copy)
    expected = f"transitions.yaml:{line}: transitions[0].focsu: unknown key (did you mean 'focus'?)"
    assert any(expected in p for p in problems), problems
    _edit(kb_copy / "transitions.yaml", "    focsu:", "    focus:")
    line = _edit(kb_copy / "levels.yaml", "  - id: aspiring\n", "  - id: aspiring\n    name2: x\n")
    _edit(kb_copy / "levels.yaml", "    rank: 0\n", "")
    problems = _problems(kb_copy)
    assert any(f"levels.yaml:{line + 1}: levels[0].name2: unknown key" in p for p in problems)
    _edit(kb_copy / "levels.yaml", "    name2: x\n", "")
    problems = _problems(kb_copy)
    assert any(f"levels.yaml:{line}: levels[0]: missing required key 'rank'" in p for p in problems)


def test_duplicate_key_is_an_error_not_silently_overwritten(kb_copy: Path) -> None:
    line = _edit(kb_copy / "levels.yaml", "    rank: 2\n", "    rank: 2\n    rank: 3\n")
    problems = _problems(kb_copy)
    assert any(f"levels.yaml:{line + 1}:" in p and "duplicate key 'rank'" in p for p in problems)


def test_wrong_types_and_values(kb_copy: Path) -> None:
    path = kb_copy / "salaries.yaml"
    _edit(path, "    min: ", "    min: lots #", 1)
    text = path.read_text()
    last = text.rindex("basis: total")
    path.write_text(text[:last] + "basis: gross" + text[last + len("basis: total") :])
    problems = _problems(kb_copy)
    assert any("expected a number" in p for p in problems), problems
    assert any("'gross' is not one of: base, total, unspecified" in p for p in problems), problems


def test_currency_must_match_market(kb_copy: Path) -> None:
    text = (kb_copy / "salaries.yaml").read_text()
    first_gbp = text.index("currency: GBP", text.index("bands:"))
    line = text[:first_gbp].count("\n") + 1
    (kb_copy / "salaries.yaml").write_text(
        text[:first_gbp] + "currency: USD" + text[first_gbp + 13 :]
    )
    problems = _problems(kb_copy)
    assert any(
        f"salaries.yaml:{line}:" in p and "does not match market 'uk'" in p for p in problems
    )


def test_alias_used_by_two_levels(kb_copy: Path) -> None:
    _edit(kb_copy / "levels.yaml", '"senior", "sr"', '"senior", "jr"')
    problems = _problems(kb_copy)
    assert any("alias 'jr' names both 'junior' and 'senior'" in p for p in problems), problems


def test_unknown_topic_and_missing_file(kb_copy: Path) -> None:
    _edit(kb_copy / "intents.yaml", "answer: {topic: pitfalls}", "answer: {topic: pitfals}")
    (kb_copy / "topics.yaml").unlink()
    problems = _problems(kb_copy)
    assert any("topics.yaml:1: required knowledge file is missing" in p for p in problems)
    kb_copy.joinpath("topics.yaml").write_text(
        (Path(__file__).parent.parent / "knowledge" / "topics.yaml").read_text()
    )
    problems = _problems(kb_copy)
    assert any("unknown topic 'pitfals' (known: " in p for p in problems), problems


def test_not_utf8_and_empty_file(kb_copy: Path) -> None:
    (kb_copy / "sources.yaml").write_bytes(b"sources:\n  - id: \xff\xfe\n")
    (kb_copy / "topics.yaml").write_text("")
    problems = _problems(kb_copy)
    assert any("sources.yaml:1: not valid UTF-8" in p for p in problems), problems


def test_kb_check_command(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check", str(kb_copy)]) == 0
    assert "OK" in capsys.readouterr().out
    line = _edit(kb_copy / "levels.yaml", "    rank: 3\n", "    rank: three\n")
    assert main(["kb", "check", str(kb_copy)]) == 1
    out = capsys.readouterr().out
    assert f"levels.yaml:{line}: levels[3].rank: expected an integer, got 'three'" in out


def test_invalid_knowledge_base_stops_the_bot_from_starting(kb_copy: Path) -> None:
    _edit(kb_copy / "levels.yaml", "    rank: 3\n", "    rank: three\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--knowledge", str(kb_copy), "ask", "hi", "--db", ":memory:"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "levels.yaml:" in result.stderr and "expected an integer" in result.stderr
    assert result.stdout == ""


# -- one mistake, one line ------------------------------------------------------------------


def _check_lines(directory: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["kb", "check", str(directory)]) == 1
    return capsys.readouterr().out.splitlines()


def test_one_wrong_value_in_levels_gives_one_problem_not_one_per_reference(
    kb_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Senior is referred to by bands, transitions, topics, tips, plans and ladders: none of
    # those references is a problem of its own.
    line = _edit(kb_copy / "levels.yaml", "    rank: 3\n", "    rank: three\n")
    out = _check_lines(kb_copy, capsys)
    assert 1 <= len(out) <= 3, out
    assert out[0].endswith(f"levels.yaml:{line}: levels[3].rank: expected an integer, got 'three'")


def test_one_missing_name_gives_one_problem(
    kb_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(kb_copy / "levels.yaml", '    name: "Senior ML engineer"\n', "")
    out = _check_lines(kb_copy, capsys)
    assert 1 <= len(out) <= 3, out
    assert "levels[3]: missing required key 'name'" in out[0]


def test_an_entry_without_its_id_silences_the_references_to_its_kind(
    kb_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(kb_copy / "levels.yaml", "  - id: senior\n", "  - idx: senior\n")
    out = _check_lines(kb_copy, capsys)
    assert 1 <= len(out) <= 3, out
    assert "levels[3].idx: unknown key (did you mean 'id'?)" in out[0]


def test_a_tip_is_our_advice_and_cannot_claim_sources(kb_copy: Path) -> None:
    line = _edit(kb_copy / "tips.yaml", "    based_on: [", "    sources: [")
    problems = _problems(kb_copy)
    assert len(problems) == 1
    assert f"tips.yaml:{line}: tips[0].sources: unknown key" in problems[0]


def test_an_item_is_a_fact_or_our_advice_not_both(kb_copy: Path) -> None:
    line = _edit(
        kb_copy / "topics.yaml",
        "            sources: [job_guide]\n",
        "            sources: [job_guide]\n            based_on: [job_guide]\n",
    )
    problems = _problems(kb_copy)
    assert any(
        f"topics.yaml:{line - 1}:" in p and "give one of 'sources' (a fact), 'based_on'" in p
        for p in problems
    ), problems


def test_an_item_may_be_our_advice(kb_copy: Path) -> None:
    def ours(kb: KnowledgeBase) -> list[Item]:
        return [i for t in kb.topics.values() for s in t.sections for i in s.items if i.ours]

    before = ours(loader.load(kb_copy))
    _edit(kb_copy / "topics.yaml", "            sources: [job_guide]\n",
          "            based_on: [job_guide]\n")  # fmt: skip
    after = ours(loader.load(kb_copy))
    new = [i for i in after if i not in before]
    assert len(after) == len(before) + 1 and new[0].sources == ("job_guide",)


def test_what_sources_leave_out_is_marked_as_our_reading(kb_copy: Path) -> None:
    """`not_in` says what the named sources do not cover: shown as our reading of them, not as
    a suggestion (a user read "Our suggestion, building on [1-5]" after "the guides say
    nothing about burnout" as a suggestion that was missing)."""
    _edit(kb_copy / "topics.yaml", "            sources: [job_guide]\n",
          "            not_in: [job_guide]\n")  # fmt: skip
    kb = loader.load(kb_copy)
    (item,) = [
        i for t in kb.topics.values() for s in t.sections for i in s.items
        if i.absent and i.sources == ("job_guide",)
    ]  # fmt: skip
    assert not item.ours
    answer = Answer("t", None, (Block(None, moves.lines([item])),))
    text = render.plain(answer, kb.sources)
    assert "Our reading of [1]." in text and "suggestion" not in text
    assert "<i>Our reading of [1].</i>" in render.html(answer, kb.sources)


def test_a_disagreement_says_so_first(kb_copy: Path) -> None:
    _edit(
        kb_copy / "salaries.yaml",
        '  - text: "Sources differ on LLM skills:',
        '  - text: "LLM skills:',
    )
    problems = _problems(kb_copy)
    assert any("a disagreement opens with “Sources differ”" in p for p in problems), problems


def test_no_figures_for_an_uncovered_market(kb_copy: Path) -> None:
    text = (kb_copy / "salaries.yaml").read_text(encoding="utf-8")
    first = text.index("    market: uk", text.index("bands:"))
    line = text[:first].count("\n") + 1
    (kb_copy / "salaries.yaml").write_text(
        text[:first] + "    market: germany" + text[first + len("    market: uk") :]
    )
    problems = _problems(kb_copy)
    assert any(f"salaries.yaml:{line}:" in p and "'germany' is not one of" in p for p in problems)


def test_a_title_alias_may_not_be_a_level_alias(kb_copy: Path) -> None:
    _edit(kb_copy / "levels.yaml", '"staff+", "staff engineer"', '"staff+", "tech lead"')
    problems = _problems(kb_copy)
    assert any("alias 'tech lead' names both 'staff' and 'tech_lead'" in p for p in problems)


def test_a_real_message_with_an_unknown_intent_is_one_problem_at_its_line(kb_copy: Path) -> None:
    path = kb_copy / "messages" / "real-style-tuning.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if re.search(r"intent: [a-z_]+,", line))
    lines[first] = re.sub(r"intent: [a-z_]+,", "intent: salry,", lines[first], count=1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = _problems(kb_copy)
    assert problems == [
        f"{path}:{first + 1}: [{_index(lines, first)}].intent: unknown intent 'salry'"
    ]


def _index(lines: list[str], at: int) -> int:
    """The list index of the message on line `at` (one message per line)."""
    return sum(1 for line in lines[:at] if line.startswith("- "))
