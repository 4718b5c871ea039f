"""Reading `knowledge/*.yaml` into the knowledge model, reporting every problem as `file:line`."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from bot.knowledge import lexicon, read_coaching, read_intents, read_levels, read_messages, read_pay
from bot.knowledge.lexicon import LANGUAGE_FILE
from bot.knowledge.model import FILES, KnowledgeBase, Ladders, Source, SourceKind, default_dir
from bot.knowledge.reader import DIFFER_OPENING, Reader
from bot.knowledge.registry import Policy
from bot.knowledge.yamlnodes import KnowledgeError, Node, Problem, load_file

__all__ = ["DIFFER_OPENING", "load"]


def _check_aliases(r: Reader, owners: list[tuple[Node, str, tuple[str, ...]]]) -> None:
    """Level, market and title aliases are matched against the same text, so each may name one
    thing."""
    owner: dict[str, str] = {}
    for node, owner_id, aliases in owners:
        for alias in aliases:
            if alias in owner and owner[alias] != owner_id:
                msg = f"alias '{alias}' names both '{owner[alias]}' and '{owner_id}'"
                r.problems.append(node.fail(msg).problem)
            owner[alias] = owner_id


def _parse(root: Path) -> dict[str, Node]:
    """Every file of a knowledge base directory, parsed; raises listing missing or broken files."""
    if not root.is_dir():
        raise KnowledgeError([Problem(str(root), 1, "knowledge directory not found")])
    nodes: dict[str, Node] = {}
    problems: list[Problem] = []
    for name in (*FILES, LANGUAGE_FILE):
        path = root / name
        if not path.is_file():
            problems.append(Problem(str(path), 1, "required knowledge file is missing"))
            continue
        try:
            nodes[name] = load_file(path)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    if problems:
        raise KnowledgeError(problems)
    return nodes


def _check_sources(r: Reader, sources: Collection[str]) -> None:
    """Every source id an entry cites names a source of sources.yaml."""
    for ref in r.source_refs:
        if isinstance(ref.value, str) and ref.value not in sources:
            if r.suppressed("source", ref.value):
                continue
            known = ", ".join(sorted(sources)) or "none defined"
            r.problems.append(ref.fail(f"unknown source '{ref.value}' (known: {known})").problem)


def load(directory: Path | None = None) -> KnowledgeBase:
    """Load and validate a knowledge base directory; raises KnowledgeError listing every problem."""
    root = Path(directory) if directory else default_dir()
    nodes = _parse(root)
    r = Reader()
    no_sources: tuple[dict[str, Source], dict[str, SourceKind], tuple[str, ...]] = ({}, {}, ())
    sources, kinds, quoted = (
        r.guard(lambda: read_levels.sources(r, nodes["sources.yaml"])) or no_sources
    )
    levels, level_nodes, experience = r.guard(
        lambda: read_levels.levels(r, nodes["levels.yaml"])
    ) or ({}, [], ())
    titles = r.guard(lambda: read_levels.company_titles(r, nodes["levels.yaml"], levels)) or {}
    market_nodes = r.guard(lambda: read_pay.markets(r, nodes["salaries.yaml"])) or []
    markets = {m.id: m for _, m in market_nodes}
    salaries = r.guard(lambda: read_pay.salaries(r, nodes["salaries.yaml"], levels, markets))
    bands, median, top, caveats = salaries or ((), None, (), ())
    steps = r.guard(lambda: read_levels.transitions(r, nodes["transitions.yaml"], levels))
    topics = r.guard(lambda: read_coaching.topics(r, nodes["topics.yaml"], levels)) or {}
    tips = r.guard(lambda: read_coaching.tips(r, nodes["tips.yaml"], levels)) or ()
    ladders = r.guard(lambda: read_coaching.ladders(r, nodes["ladders.yaml"], levels))
    plans = r.guard(lambda: read_coaching.plans(r, nodes["plans.yaml"], levels)) or {}
    words = lexicon.read(nodes[LANGUAGE_FILE], r.problems)
    vocabulary = r.guard(lambda: read_intents.intents(r, nodes["intents.yaml"], topics))
    intents, synonyms, stopwords, domain_words, settings = vocabulary or ({}, {}, (), (), None)
    rules = r.guard(lambda: read_intents.policy(r, nodes["policy.yaml"], intents))
    messages = read_messages.messages(r, root, intents)
    _check_aliases(
        r,
        [(n.get("aliases"), lv.id, lv.aliases) for n, lv in level_nodes]
        + [(n.get("aliases"), m.id, m.aliases) for n, m in market_nodes]
        + r.title_nodes,
    )
    _check_sources(r, sources)
    if r.problems or settings is None:
        raise KnowledgeError(
            r.problems or [Problem(str(root / "intents.yaml"), 1, "no matching settings")]
        )
    return KnowledgeBase(
        root=root,
        sources=sources,
        levels=levels,
        markets=markets,
        bands=bands,
        median=median,
        top_earners=top,
        salary_caveats=caveats,
        transitions=steps or {},
        topics=topics,
        intents=intents,
        synonyms=synonyms,
        stopwords=stopwords,
        domain_words=domain_words,
        settings=settings,
        tips=tips,
        ladders=ladders or Ladders({}, (), ()),
        plans=plans,
        source_kinds=kinds,
        quoted_names=quoted,
        experience=experience,
        titles=titles,
        lexicon=words,
        policy=rules or Policy({}),
        messages=messages,
    )
