"""Reading `knowledge/*.yaml` into the knowledge model, reporting every problem as `file:line`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from bot.knowledge.model import (
    BASES,
    FILES,
    INTENT_NAMES,
    PLAN_KINDS,
    TOPIC_IDS,
    Caveat,
    Company,
    IntentSpec,
    Item,
    KnowledgeBase,
    Ladders,
    Level,
    Market,
    MatchSettings,
    Median,
    Plan,
    PlanItem,
    Rung,
    SalaryBand,
    Section,
    Source,
    Tip,
    Topic,
    Transition,
    YearRange,
    default_dir,
)
from bot.knowledge.yamlnodes import Invalid, KnowledgeError, Node, Problem, load_file

T = TypeVar("T")


class _Reader:
    """Turns Nodes into model objects, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.source_refs: list[Node] = []

    def each(self, nodes: Callable[[], Iterator[Node]], build: Callable[[Node], T]) -> list[T]:
        """Build every element, recording the problems of bad ones and keeping the good ones."""
        out: list[T] = []
        try:
            for node in nodes():
                try:
                    out.append(build(node))
                except Invalid as exc:
                    self.problems.append(exc.problem)
        except Invalid as exc:
            self.problems.append(exc.problem)
        return out

    def guard(self, build: Callable[[], T]) -> T | None:
        """Build one value, or record its problem and return None."""
        try:
            return build()
        except Invalid as exc:
            self.problems.append(exc.problem)
            return None

    def source_ids(self, node: Node) -> tuple[str, ...]:
        """A non-empty list of source ids, remembered for the cross-reference check."""
        children = list(node.items())
        for child in children:
            child.text()
        self.source_refs.extend(children)
        return tuple(child.text() for child in children)

    def item(self, node: Node) -> Item:
        """A `{text, sources}` fact."""
        node.mapping(required=("text", "sources"))
        return Item(node.get("text").text(400), self.source_ids(node.get("sources")))

    def items(self, node: Node, optional: bool = False) -> tuple[Item, ...]:
        """A list of facts (may be absent when `optional`)."""
        if optional and node.is_null():
            return ()
        return tuple(self.item(child) for child in node.items(allow_empty=optional))

    def year_range(self, node: Node) -> YearRange | None:
        """An optional `{min, max, sources}` range of years."""
        if node.is_null():
            return None
        node.mapping(required=("min", "max", "sources"))
        lo, hi = node.get("min").number(), node.get("max").number()
        if hi < lo:
            raise node.get("max").fail(f"max ({hi:g}) is below min ({lo:g})")
        return YearRange(lo, hi, self.source_ids(node.get("sources")))


def _top(node: Node, *keys: str, optional: tuple[str, ...] = ()) -> None:
    if node.is_null():
        raise node.fail(f"the file is empty (expected top-level keys: {', '.join(keys)})")
    node.mapping(required=keys, optional=optional)


def _unique(r: _Reader, nodes: list[tuple[Node, str]], what: str) -> None:
    seen: dict[str, Node] = {}
    for node, key in nodes:
        if key in seen:
            r.problems.append(
                node.fail(f"duplicate {what} '{key}' (first at line {seen[key].line})").problem
            )
        else:
            seen[key] = node


def _sources(r: _Reader, root: Node) -> dict[str, Source]:
    _top(root, "sources")

    def one(n: Node) -> tuple[Node, Source]:
        n.mapping(required=("id", "title", "publisher", "short"), optional=("file",))
        return n, Source(
            n.get("id").text(60),
            n.get("title").text(),
            n.get("publisher").text(),
            n.get("short").text(40),
        )

    built = r.each(root.get("sources").items, one)
    _unique(r, [(n, s.id) for n, s in built], "source id")
    return {s.id: s for _, s in built}


def _level(r: _Reader, n: Node) -> Level:
    n.mapping(
        required=(
            "id",
            "name",
            "rank",
            "aliases",
            "summary",
            "responsibilities",
            "technical_skills",
            "soft_skills",
            "focus",
            "learning",
        ),
        optional=("years", "titles", "notes"),
    )
    years = n.get("years")
    lo = hi = None
    if not years.is_null():
        years.mapping(required=("min",), optional=("max",))
        lo, hi = years.get("min").number(), years.get("max").optional_number()
        if hi is not None and hi <= lo:
            raise years.get("max").fail(f"max ({hi:g}) must be above min ({lo:g})")
    return Level(
        id=n.get("id").text(30),
        name=n.get("name").text(80),
        rank=n.get("rank").integer(),
        years_min=lo,
        years_max=hi,
        aliases=tuple(a.lower() for a in n.get("aliases").texts(max_len=60)),
        titles=r.items(n.get("titles"), optional=True),
        summary=r.item(n.get("summary")),
        responsibilities=r.items(n.get("responsibilities")),
        technical_skills=r.items(n.get("technical_skills")),
        soft_skills=r.items(n.get("soft_skills")),
        focus=r.items(n.get("focus")),
        learning=r.items(n.get("learning")),
        notes=r.items(n.get("notes"), optional=True),
    )


def _levels(r: _Reader, root: Node) -> tuple[dict[str, Level], list[tuple[Node, Level]]]:
    _top(root, "levels")
    built = r.each(root.get("levels").items, lambda n: (n, _level(r, n)))
    _unique(r, [(n, lv.id) for n, lv in built], "level id")
    _unique(r, [(n.get("rank"), str(lv.rank)) for n, lv in built], "level rank")
    ranks = sorted(lv.rank for _, lv in built)
    if built and ranks != list(range(len(ranks))):
        r.problems.append(root.get("levels").fail(f"ranks must be 0..{len(ranks) - 1}").problem)
    levels = {lv.id: lv for _, lv in sorted(built, key=lambda pair: pair[1].rank)}
    return levels, built


def _markets(r: _Reader, root: Node) -> list[tuple[Node, Market]]:
    _top(root, "markets", "bands", "top_earners", "caveats", optional=("national_median",))

    def market(n: Node) -> tuple[Node, Market]:
        n.mapping(required=("id", "name", "currency", "aliases"))
        return n, Market(
            n.get("id").text(30),
            n.get("name").text(80),
            n.get("currency").text(5),
            tuple(a.lower() for a in n.get("aliases").texts(max_len=60)),
        )

    built = r.each(root.get("markets").items, market)
    _unique(r, [(n, m.id) for n, m in built], "market id")
    return built


def _salaries(
    r: _Reader, root: Node, levels: dict[str, Level], markets: dict[str, Market]
) -> tuple[tuple[SalaryBand, ...], Median | None, tuple[Item, ...], tuple[Caveat, ...]]:
    def band(n: Node) -> SalaryBand:
        n.mapping(
            required=("level", "market", "source", "min", "max", "currency", "basis"),
            optional=("open_ended", "region", "years", "note"),
        )
        lo, hi = n.get("min").number(), n.get("max").optional_number()
        if hi is not None and hi < lo:
            raise n.get("max").fail(f"max ({hi:g}) is below min ({lo:g})")
        mkt = n.get("market").choice(set(markets))
        currency = n.get("currency").text(5)
        if currency != markets[mkt].currency:
            raise n.get("currency").fail(
                f"'{currency}' does not match market '{mkt}' ({markets[mkt].currency})"
            )
        r.source_refs.append(n.get("source"))
        return SalaryBand(
            level=n.get("level").choice(set(levels)),
            market=mkt,
            source=n.get("source").text(),
            min=lo,
            max=hi,
            open_ended=n.get("open_ended").boolean(default=hi is None),
            currency=currency,
            basis=n.get("basis").choice(BASES),
            region=n.get("region").optional_text(80),
            years=n.get("years").optional_text(40),
            note=n.get("note").optional_text(200),
        )

    bands = tuple(r.each(root.get("bands").items, band))

    def median() -> Median | None:
        n = root.get("national_median")
        if n.is_null():
            return None
        n.mapping(required=("amount", "currency", "market", "source", "text"))
        r.source_refs.append(n.get("source"))
        return Median(
            n.get("amount").number(1),
            n.get("currency").text(5),
            n.get("market").choice(set(markets)),
            n.get("source").text(),
            n.get("text").text(400),
        )

    def caveat(n: Node) -> Caveat:
        n.mapping(required=("text", "sources"), optional=("markets", "levels"))
        item = Item(n.get("text").text(400), r.source_ids(n.get("sources")))
        markets = () if n.get("markets").is_null() else n.get("markets").texts()
        levels = () if n.get("levels").is_null() else n.get("levels").texts()
        for child, known in [(n.get("markets"), markets_known), (n.get("levels"), levels_known)]:
            if not child.is_null():
                for value in child.items():
                    value.choice(known)
        return Caveat(item, markets, levels)

    markets_known, levels_known = set(markets), set(levels)
    return (
        bands,
        r.guard(median),
        r.guard(lambda: r.items(root.get("top_earners"))) or (),
        tuple(r.each(root.get("caveats").items, caveat)),
    )


def _transitions(
    r: _Reader, root: Node, levels: dict[str, Level]
) -> dict[tuple[str, str], Transition]:
    _top(root, "transitions")

    def one(n: Node) -> tuple[Node, Transition]:
        n.mapping(
            required=(
                "from",
                "to",
                "focus",
                "skills_to_add",
                "soft_skills",
                "interviews",
                "how_to_advance",
            ),
            optional=("typical_years", "accelerated_years", "notes"),
        )
        src, dst = n.get("from").choice(set(levels)), n.get("to").choice(set(levels))
        if levels[dst].rank <= levels[src].rank:
            raise n.get("to").fail(f"'{dst}' is not above '{src}'")
        return n, Transition(
            from_level=src,
            to_level=dst,
            typical=r.year_range(n.get("typical_years")),
            accelerated=r.year_range(n.get("accelerated_years")),
            focus=r.items(n.get("focus")),
            skills_to_add=r.items(n.get("skills_to_add")),
            soft_skills=r.items(n.get("soft_skills")),
            interviews=r.items(n.get("interviews")),
            how_to_advance=r.items(n.get("how_to_advance")),
            notes=r.items(n.get("notes"), optional=True),
        )

    built = r.each(root.get("transitions").items, one)
    _unique(r, [(n, f"{t.from_level}->{t.to_level}") for n, t in built], "transition")
    return {(t.from_level, t.to_level): t for _, t in built}


def _topics(r: _Reader, root: Node, levels: dict[str, Level]) -> dict[str, Topic]:
    _top(root, "topics")

    def section(n: Node) -> Section:
        n.mapping(required=("items",), optional=("title", "level"))
        level = None if n.get("level").is_null() else n.get("level").choice(set(levels))
        return Section(n.get("title").optional_text(120), level, r.items(n.get("items")))

    def topic(n: Node) -> tuple[Node, Topic]:
        n.mapping(required=("id", "title", "sections"))
        sections = tuple(section(s) for s in n.get("sections").items())
        return n, Topic(n.get("id").choice(TOPIC_IDS), n.get("title").text(120), sections)

    built = r.each(root.get("topics").items, topic)
    _unique(r, [(n, t.id) for n, t in built], "topic id")
    topics = {t.id: t for _, t in built}
    missing = [t for t in TOPIC_IDS if t not in topics]
    if missing and built:
        r.problems.append(root.get("topics").fail(f"missing topics: {', '.join(missing)}").problem)
    return topics


def _intents(
    r: _Reader, root: Node
) -> tuple[
    dict[str, IntentSpec],
    dict[str, tuple[str, ...]],
    tuple[str, ...],
    tuple[str, ...],
    MatchSettings | None,
]:
    _top(root, "matching", "synonyms", "stopwords", "domain_words", "intents")

    def settings() -> MatchSettings:
        n = root.get("matching")
        n.mapping(
            required=(
                "threshold",
                "margin",
                "beta",
                "min_evidence",
                "unknown_evidence",
                "scope_bias",
            ),
            optional=("bayes_weight",),
        )
        threshold, margin = n.get("threshold").number(), n.get("margin").number()
        if threshold > 1 or margin > 1:
            raise n.fail("threshold and margin are fractions between 0 and 1")
        beta = n.get("beta").number(minimum=0.1)
        return MatchSettings(
            threshold,
            margin,
            beta,
            n.get("min_evidence").number(),
            n.get("unknown_evidence").number(),
            n.get("scope_bias").number(minimum=-100),
            n.get("bayes_weight").optional_number() or 0.0,
        )

    def synonyms() -> dict[str, tuple[str, ...]]:
        n = root.get("synonyms")
        n.mapping(optional=tuple(n.value) if isinstance(n.value, dict) else ())
        out: dict[str, tuple[str, ...]] = {}
        owner: dict[str, str] = {}
        for canon, child in n.value.items():
            variants = tuple(v.lower() for v in child.texts(max_len=60))
            for i, variant in enumerate(variants):
                if variant in owner and owner[variant] != canon:
                    raise list(child.items())[i].fail(
                        f"'{variant}' is already a synonym of '{owner[variant]}'"
                    )
                owner[variant] = canon
            out[canon.lower()] = variants
        return out

    def intent(n: Node) -> tuple[Node, IntentSpec]:
        n.mapping(required=("id", "examples"))
        return n, IntentSpec(
            n.get("id").choice(INTENT_NAMES),
            n.get("examples").texts(allow_empty=True, max_len=300),
        )

    built = r.each(root.get("intents").items, intent)
    _unique(r, [(n, i.id) for n, i in built], "intent")
    intents = {i.id: i for _, i in built}
    missing = [name for name in INTENT_NAMES if name not in intents]
    if missing and built:
        r.problems.append(
            root.get("intents").fail(f"missing intents: {', '.join(missing)}").problem
        )
    stop = r.guard(lambda: tuple(w.lower() for w in root.get("stopwords").texts(max_len=40))) or ()
    domain = r.guard(lambda: tuple(w.lower() for w in root.get("domain_words").texts(max_len=60)))
    return intents, r.guard(synonyms) or {}, stop, domain or (), r.guard(settings)


def _tips(r: _Reader, root: Node, levels: dict[str, Level]) -> tuple[Tip, ...]:
    _top(root, "tips")

    def tip(n: Node) -> tuple[Node, Tip]:
        n.mapping(required=("id", "levels", "text", "sources"))
        tip_levels = tuple(child.choice(set(levels)) for child in n.get("levels").items())
        return n, Tip(
            n.get("id").text(60),
            tip_levels,
            n.get("text").text(300),
            r.source_ids(n.get("sources")),
        )

    built = r.each(root.get("tips").items, tip)
    _unique(r, [(n, t.id) for n, t in built], "tip id")
    for level in levels:
        if built and not any(level in t.levels for _, t in built):
            r.problems.append(root.get("tips").fail(f"no tip for level '{level}'").problem)
    return tuple(t for _, t in built)


def _ladders(r: _Reader, root: Node, levels: dict[str, Level]) -> Ladders:
    _top(root, "companies", "rungs", "caveats")

    def company(n: Node) -> tuple[Node, Company]:
        n.mapping(required=("id", "name", "aliases"))
        aliases = tuple(a.lower() for a in n.get("aliases").texts(max_len=40))
        return n, Company(n.get("id").text(30), n.get("name").text(60), aliases)

    built = r.each(root.get("companies").items, company)
    _unique(r, [(n, c.id) for n, c in built], "company id")
    companies = {c.id: c for _, c in built}

    def rung(n: Node) -> tuple[Node, Rung]:
        n.mapping(
            required=("company", "codes", "level", "sources"), optional=("title", "aliases", "note")
        )
        aliases = n.get("aliases")
        return n, Rung(
            company=n.get("company").choice(set(companies)),
            codes=tuple(str(c.value).upper() for c in n.get("codes").items()),
            title=n.get("title").optional_text(60),
            level=n.get("level").choice(set(levels)),
            note=n.get("note").optional_text(80),
            sources=r.source_ids(n.get("sources")),
            aliases=() if aliases.is_null() else aliases.texts(max_len=40),
        )

    rungs = r.each(root.get("rungs").items, rung)
    _unique(r, [(n, f"{g.company} {c}") for n, g in rungs for c in g.codes], "company level")

    def caveat(n: Node) -> tuple[Item, tuple[str, ...]]:
        n.mapping(required=("text", "sources"), optional=("companies",))
        item = Item(n.get("text").text(400), r.source_ids(n.get("sources")))
        which = n.get("companies")
        return item, () if which.is_null() else tuple(
            c.choice(set(companies)) for c in which.items()
        )

    caveats = r.each(root.get("caveats").items, caveat)
    return Ladders(companies, tuple(g for _, g in rungs), tuple(caveats))


_ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,23}$")


def _plans(r: _Reader, root: Node, levels: dict[str, Level]) -> dict[str, Plan]:
    _top(root, "plans")

    def item(n: Node) -> tuple[Node, PlanItem]:
        n.mapping(required=("id", "kind", "name", "aliases", "show", "sources"))
        item_id = n.get("id").text(24)
        if not _ITEM_ID.match(item_id):
            raise n.get("id").fail("ids are 3-24 characters of a-z, 0-9 and - (used in buttons)")
        return n, PlanItem(
            item_id,
            n.get("kind").choice(PLAN_KINDS),
            n.get("name").text(60),
            tuple(a.lower() for a in n.get("aliases").texts(max_len=40)),
            n.get("show").text(200),
            r.source_ids(n.get("sources")),
        )

    def plan(n: Node) -> tuple[Node, Plan]:
        n.mapping(required=("from", "to", "items"))
        src, dst = n.get("from").choice(set(levels)), n.get("to").choice(set(levels))
        if levels[dst].rank != levels[src].rank + 1:
            raise n.get("to").fail(f"a plan leads one level up: '{dst}' does not follow '{src}'")
        built = r.each(n.get("items").items, item)
        owner: dict[str, str] = {}
        for node, it in built:
            for alias in it.aliases:
                if alias in owner and owner[alias] != it.id:
                    msg = f"alias '{alias}' is used by both '{owner[alias]}' and '{it.id}'"
                    r.problems.append(node.get("aliases").fail(msg).problem)
                owner[alias] = it.id
        return n, Plan(src, dst, tuple(it for _, it in built))

    built = r.each(root.get("plans").items, plan)
    _unique(r, [(n, p.from_level) for n, p in built], "plan from level")
    ids = [
        (inode, it.id)
        for n, p in built
        for inode, it in zip(n.get("items").items(), p.items, strict=False)
    ]
    _unique(r, ids, "plan item id")
    return {p.from_level: p for _, p in built}


def _check_aliases(r: _Reader, owners: list[tuple[Node, str, tuple[str, ...]]]) -> None:
    """Level and market aliases are matched against the same text, so each may name one thing."""
    owner: dict[str, str] = {}
    for node, owner_id, aliases in owners:
        for alias in aliases:
            if alias in owner and owner[alias] != owner_id:
                msg = f"alias '{alias}' names both '{owner[alias]}' and '{owner_id}'"
                r.problems.append(node.fail(msg).problem)
            owner[alias] = owner_id


def load(directory: Path | None = None) -> KnowledgeBase:
    """Load and validate a knowledge base directory; raises KnowledgeError listing every problem."""
    root = Path(directory) if directory else default_dir()
    if not root.is_dir():
        raise KnowledgeError([Problem(str(root), 1, "knowledge directory not found")])
    nodes: dict[str, Node] = {}
    problems: list[Problem] = []
    for name in FILES:
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

    r = _Reader()
    sources = r.guard(lambda: _sources(r, nodes["sources.yaml"])) or {}
    levels, level_nodes = r.guard(lambda: _levels(r, nodes["levels.yaml"])) or ({}, [])
    market_nodes = r.guard(lambda: _markets(r, nodes["salaries.yaml"])) or []
    markets = {m.id: m for _, m in market_nodes}
    salaries = r.guard(lambda: _salaries(r, nodes["salaries.yaml"], levels, markets))
    bands, median, top, caveats = salaries or ((), None, (), ())
    transitions = r.guard(lambda: _transitions(r, nodes["transitions.yaml"], levels)) or {}
    topics = r.guard(lambda: _topics(r, nodes["topics.yaml"], levels)) or {}
    tips = r.guard(lambda: _tips(r, nodes["tips.yaml"], levels)) or ()
    ladders = r.guard(lambda: _ladders(r, nodes["ladders.yaml"], levels)) or Ladders({}, (), ())
    plans = r.guard(lambda: _plans(r, nodes["plans.yaml"], levels)) or {}
    vocabulary = r.guard(lambda: _intents(r, nodes["intents.yaml"]))
    intents, synonyms, stopwords, domain_words, settings = vocabulary or ({}, {}, (), (), None)
    _check_aliases(
        r,
        [(n.get("aliases"), lv.id, lv.aliases) for n, lv in level_nodes]
        + [(n.get("aliases"), m.id, m.aliases) for n, m in market_nodes],
    )
    for ref in r.source_refs:
        if isinstance(ref.value, str) and ref.value not in sources:
            known = ", ".join(sorted(sources)) or "none defined"
            r.problems.append(ref.fail(f"unknown source '{ref.value}' (known: {known})").problem)
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
        transitions=transitions,
        topics=topics,
        intents=intents,
        synonyms=synonyms,
        stopwords=stopwords,
        domain_words=domain_words,
        settings=settings,
        tips=tips,
        ladders=ladders,
        plans=plans,
    )
