"""The knowledge base: the real one is complete and sourced; broken copies fail with file:line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.knowledge import loader
from bot.knowledge.model import INTENT_NAMES, TOPIC_IDS, KnowledgeBase
from bot.knowledge.yamlnodes import KnowledgeError

LEVELS = ("aspiring", "junior", "mid", "senior", "staff", "principal")
SOURCES = Path(__file__).resolve().parent.parent.parent / "shared" / "sources"


def test_real_knowledge_base_covers_the_product(kb: KnowledgeBase) -> None:
    assert list(kb.levels) == list(LEVELS)
    assert set(kb.markets) == {"us", "uk", "canada", "australia"}
    assert set(kb.intents) == set(INTENT_NAMES)
    assert set(kb.topics) == set(TOPIC_IDS)
    for pair in [("junior", "mid"), ("mid", "senior"), ("senior", "staff"), ("staff", "principal")]:
        assert pair in kb.transitions
    # Every level has something in each section the answers read.
    for level in kb.levels.values():
        assert level.technical_skills and level.soft_skills and level.focus and level.learning
        assert level.responsibilities and level.summary.text


def test_aliases_map_lead_architect_and_head_of_ai_to_staff(kb: KnowledgeBase) -> None:
    staff = kb.levels["staff"].aliases
    assert "ml architect" in staff and "head of ai" in staff and "tech lead" in staff
    assert "new grad" in kb.levels["junior"].aliases
    assert "distinguished" in kb.levels["principal"].aliases


def test_years_of_experience_map_to_levels(kb: KnowledgeBase) -> None:
    cases = {0: "junior", 1.5: "junior", 2: "mid", 3: "mid", 4.9: "mid", 5: "senior", 6: "senior",
             8: "staff", 15: "staff"}  # fmt: skip
    for years, level in cases.items():
        assert kb.level_for_years(years) == level, years


def test_salaries_keep_every_sources_figure_and_their_disagreement(kb: KnowledgeBase) -> None:
    senior_us = [b for b in kb.bands if b.level == "senior" and b.market == "us"]
    assert len({b.source for b in senior_us}) >= 4
    assert len({(b.min, b.max) for b in senior_us}) >= 4  # they really differ
    assert kb.median is not None and kb.median.amount == 129000
    for market in kb.markets:
        assert any(b.market == market for b in kb.bands), market
    assert kb.top_earners and kb.salary_caveats


def test_every_fact_names_defined_sources(kb: KnowledgeBase) -> None:
    # kbload rejects unknown ids; here: every defined source is used by some fact.
    used = {s for b in kb.bands for s in [b.source]}
    used |= {
        s for t in kb.topics.values() for sec in t.sections for i in sec.items for s in i.sources
    }
    used |= {s for r in kb.ladders.rungs for s in r.sources}
    used |= {s for item, _ in kb.ladders.caveats for s in item.sources}
    used |= {s for p in kb.plans.values() for i in p.items for s in i.sources}
    used |= {s for t in kb.tips for s in t.sources}
    assert set(kb.sources) <= used | {kb.median.source if kb.median else ""}


@pytest.mark.skipif(not SOURCES.is_dir(), reason="source documents not available")
def test_answers_are_in_our_own_words(kb: KnowledgeBase) -> None:
    """No item copies a run of 12 words from a source document."""

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower())

    grams: set[tuple[str, ...]] = set()
    for path in SOURCES.glob("*.txt"):
        w = words(path.read_text(encoding="utf-8"))
        grams.update(tuple(w[i : i + 12]) for i in range(len(w) - 11))
    texts = [i.text for t in kb.topics.values() for s in t.sections for i in s.items]
    for level in kb.levels.values():
        texts += [i.text for i in level.responsibilities + level.technical_skills + level.focus]
    copied = [
        t for t in texts if any(tuple(words(t)[i : i + 12]) in grams for i in range(len(words(t))))
    ]
    assert not copied


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


def test_missing_intent_and_missing_file(kb_copy: Path) -> None:
    _edit(kb_copy / "intents.yaml", "  - id: pitfalls\n", "  - id: pitfals\n")
    (kb_copy / "topics.yaml").unlink()
    problems = _problems(kb_copy)
    assert any("topics.yaml:1: required knowledge file is missing" in p for p in problems)
    kb_copy.joinpath("topics.yaml").write_text(
        (Path(__file__).parent.parent / "knowledge" / "topics.yaml").read_text()
    )
    problems = _problems(kb_copy)
    assert any("'pitfals' is not one of" in p for p in problems), problems


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
