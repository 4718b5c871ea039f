"""Reading `knowledge/*.yaml` into the knowledge model, reporting every problem as `file:line`."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TypeVar

from bot.knowledge.model import (
    BASES,
    FILES,
    INTENT_NAMES,
    PLAN_KINDS,
    SCOPES,
    TOPIC_IDS,
    Caveat,
    Company,
    CompanyTitle,
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
    SourceKind,
    Tip,
    TitleReading,
    Topic,
    Transition,
    YearRange,
    YearsClaim,
    default_dir,
)
from bot.knowledge.yamlnodes import Invalid, KnowledgeError, Node, Problem, load_file

T = TypeVar("T")


class _Suppressed(Exception):
    """A reference to an entry that is itself invalid: that entry's problem is the one reported,
    so the errors that only follow from it are left out."""


# Every disagreement item opens the same way, so that readers see it for what it is.
DIFFER_OPENING = "Sources differ"


class _Reader:
    """Turns Nodes into model objects, collecting problems instead of stopping at the first.

    Each entry (a level, a band, a tip...) reports its first problem only; entries that refer to
    an invalid one (a transition from a level that failed) are skipped without a problem of their
    own, so that one mistake gives one line, not one per reference.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.source_refs: list[Node] = []
        self.broken: dict[str, set[str]] = defaultdict(set)  # kind -> ids of invalid entries
        self.unnamed: set[str] = set()  # kinds with an invalid entry whose id is unreadable
        self.title_nodes: list[tuple[Node, str, tuple[str, ...]]] = []

    def each(
        self, nodes: Callable[[], Iterator[Node]], build: Callable[[Node], T], kind: str = ""
    ) -> list[T]:
        """Build every element, recording the problems of bad ones and keeping the good ones."""
        out: list[T] = []
        try:
            for node in nodes():
                try:
                    out.append(build(node))
                except Invalid as exc:
                    self.problems.append(exc.problem)
                    if kind:
                        self._mark_broken(kind, node)
                except _Suppressed:
                    if kind:
                        self._mark_broken(kind, node)
        except Invalid as exc:
            self.problems.append(exc.problem)
            if kind:
                self.unnamed.add(kind)
        return out

    def _mark_broken(self, kind: str, node: Node) -> None:
        ident = node.value.get("id") if isinstance(node.value, dict) else None
        if isinstance(ident, Node) and isinstance(ident.value, str):
            self.broken[kind].add(ident.value.strip())
        else:
            self.unnamed.add(kind)

    def guard(self, build: Callable[[], T]) -> T | None:
        """Build one value, or record its problem and return None."""
        try:
            return build()
        except Invalid as exc:
            self.problems.append(exc.problem)
            return None
        except _Suppressed:
            return None

    def suppressed(self, kind: str, value: object) -> bool:
        """True when `value` may name an entry of `kind` that is invalid (already reported)."""
        return kind in self.unnamed or (isinstance(value, str) and value in self.broken[kind])

    def ref(self, node: Node, kind: str, known: Collection[str]) -> str:
        """A reference to an entry of `kind` (a level id...) that must exist."""
        value = node.text()
        if value in known:
            return value
        if self.suppressed(kind, value):
            raise _Suppressed
        return node.choice(set(known))  # fails with the list of known ids

    def source_ids(self, node: Node) -> tuple[str, ...]:
        """A non-empty list of source ids, remembered for the cross-reference check."""
        children = list(node.items())
        for child in children:
            child.text()
        self.source_refs.extend(children)
        return tuple(child.text() for child in children)

    def item(self, node: Node, max_len: int = 400) -> Item:
        """A fact `{text, sources}`, a disagreement `{text, sources, differ: true}`, or advice of
        our own `{text, based_on}`."""
        node.mapping(required=("text",), optional=("sources", "based_on", "differ"))
        text = node.get("text").text(max_len)
        facts, ours = node.get("sources"), node.get("based_on")
        if facts.is_null() == ours.is_null():
            raise node.fail("give either 'sources' (a fact) or 'based_on' (our own advice)")
        differ = node.get("differ").boolean()
        if differ and not ours.is_null():
            raise node.get("differ").fail("a disagreement is between sources: use 'sources'")
        if differ and not text.startswith(DIFFER_OPENING):
            raise node.get("text").fail(f"a disagreement opens with “{DIFFER_OPENING}”")
        if ours.is_null():
            return Item(text, self.source_ids(facts), differ=differ)
        return Item(text, self.source_ids(ours), ours=True)

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


def _sources(
    r: _Reader, root: Node
) -> tuple[dict[str, Source], dict[str, SourceKind], tuple[str, ...]]:
    _top(root, "sources", "kinds", optional=("quoted_names",))

    def kind(n: Node) -> tuple[Node, SourceKind]:
        n.mapping(required=("id", "one", "many"))
        return n, SourceKind(n.get("id").text(30), n.get("one").text(60), n.get("many").text(60))

    kinds_built = r.each(root.get("kinds").items, kind, "source kind")
    _unique(r, [(n, k.id) for n, k in kinds_built], "source kind")
    kinds = {k.id: k for _, k in kinds_built}

    def one(n: Node) -> tuple[Node, Source]:
        n.mapping(required=("id", "title", "publisher", "short", "kind"), optional=("file", "note"))
        return n, Source(
            n.get("id").text(60),
            n.get("title").text(),
            n.get("publisher").optional_text(80),
            n.get("short").text(40),
            r.ref(n.get("kind"), "source kind", kinds),
            n.get("note").optional_text(200),
        )

    built = r.each(root.get("sources").items, one, "source")
    _unique(r, [(n, s.id) for n, s in built], "source id")
    names = root.get("quoted_names")
    quoted = () if names.is_null() else names.texts(max_len=120)
    return {s.id: s for _, s in built}, kinds, quoted


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
        optional=("years", "titles", "notes", "experience"),
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


def _experience(r: _Reader, n: Node) -> tuple[YearsClaim, ...]:
    """A level's `experience`: the years each source gives for it."""
    level = n.get("id").text(30)

    def claim(c: Node) -> YearsClaim:
        c.mapping(required=("min", "sources"), optional=("max",))
        lo, hi = c.get("min").number(), c.get("max").optional_number()
        if hi is not None and hi <= lo:
            raise c.get("max").fail(f"max ({hi:g}) must be above min ({lo:g})")
        return YearsClaim(level, lo, hi, r.source_ids(c.get("sources")))

    node = n.get("experience")
    return () if node.is_null() else tuple(claim(c) for c in node.items())


def _levels(
    r: _Reader, root: Node
) -> tuple[dict[str, Level], list[tuple[Node, Level]], tuple[YearsClaim, ...]]:
    _top(root, "levels", optional=("company_titles",))
    built = r.each(
        root.get("levels").items, lambda n: (n, _level(r, n), _experience(r, n)), "level"
    )
    _unique(r, [(n, lv.id) for n, lv, _ in built], "level id")
    _unique(r, [(n.get("rank"), str(lv.rank)) for n, lv, _ in built], "level rank")
    ranks = sorted(lv.rank for _, lv, _ in built)
    # With a level left out because it is invalid, the gap in the ranks is no news.
    complete = not r.broken["level"] and "level" not in r.unnamed
    if built and complete and ranks != list(range(len(ranks))):
        r.problems.append(root.get("levels").fail(f"ranks must be 0..{len(ranks) - 1}").problem)
    levels = {lv.id: lv for _, lv, _ in sorted(built, key=lambda t: t[1].rank)}
    claims = tuple(c for _, _, cs in built for c in cs)
    return levels, [(n, lv) for n, lv, _ in built], claims


def _company_titles(r: _Reader, root: Node, levels: dict[str, Level]) -> dict[str, CompanyTitle]:
    """Titles whose level depends on the company, with each source's reading of them."""
    node = root.get("company_titles")
    if node.is_null():
        return {}

    def reading(n: Node) -> TitleReading:
        n.mapping(required=("level", "scope", "text", "sources"))
        level = r.ref(n.get("level"), "level", levels)
        scope = n.get("scope").choice(SCOPES)
        item = Item(n.get("text").text(300), r.source_ids(n.get("sources")))
        return TitleReading(level, scope, item)

    def title(n: Node) -> tuple[Node, CompanyTitle]:
        n.mapping(required=("id", "name", "aliases", "readings", "differ"))
        differ = r.item(n.get("differ"))
        if not differ.differ:
            raise n.get("differ").fail("the item on how the sources differ needs 'differ: true'")
        return n, CompanyTitle(
            n.get("id").text(30),
            n.get("name").text(60),
            tuple(a.lower() for a in n.get("aliases").texts(max_len=60)),
            tuple(reading(c) for c in n.get("readings").items()),
            differ,
        )

    built = r.each(node.items, title, "title")
    _unique(r, [(n, t.id) for n, t in built], "title id")
    r.title_nodes = [(n.get("aliases"), t.id, t.aliases) for n, t in built]
    return {t.id: t for _, t in built}


def _markets(r: _Reader, root: Node) -> list[tuple[Node, Market]]:
    _top(root, "markets", "bands", "top_earners", "caveats", optional=("national_median",))

    def market(n: Node) -> tuple[Node, Market]:
        n.mapping(
            required=("id", "name", "currency", "aliases"), optional=("covered", "compare_with")
        )
        return n, Market(
            n.get("id").text(30),
            n.get("name").text(80),
            n.get("currency").text(5),
            tuple(a.lower() for a in n.get("aliases").texts(max_len=60)),
            n.get("covered").boolean(default=True),
            n.get("compare_with").optional_text(30),
        )

    built = r.each(root.get("markets").items, market, "market")
    _unique(r, [(n, m.id) for n, m in built], "market id")
    covered = {m.id for _, m in built if m.covered}
    for n, m in built:
        if m.compare_with is not None:
            if m.covered:
                r.problems.append(
                    n.get("compare_with").fail("only an uncovered market is compared").problem
                )
            else:
                try:
                    r.ref(n.get("compare_with"), "market", covered)
                except Invalid as exc:
                    r.problems.append(exc.problem)
                except _Suppressed:
                    pass
    return built


def _salaries(
    r: _Reader, root: Node, levels: dict[str, Level], markets: dict[str, Market]
) -> tuple[tuple[SalaryBand, ...], Median | None, tuple[Item, ...], tuple[Caveat, ...]]:
    def band(n: Node) -> SalaryBand:
        n.mapping(
            required=("market", "source", "min", "max", "currency", "basis"),
            optional=("level", "levels", "label", "country_named", "open_ended", "region",
                      "years", "note"),
        )  # fmt: skip
        one, several = n.get("level"), n.get("levels")
        if one.is_null() == several.is_null():
            raise n.fail("give either 'level' or 'levels' (a band of several levels)")
        label: str | None
        if one.is_null():
            covered = tuple(r.ref(c, "level", levels) for c in several.items())
            label = n.get("label").text(60)  # a band of several levels goes by its name
        else:
            covered = (r.ref(one, "level", levels),)
            label = n.get("label").optional_text(60)
        covered = tuple(sorted(covered, key=lambda lv: levels[lv].rank))
        lo, hi = n.get("min").number(), n.get("max").optional_number()
        if hi is not None and hi < lo:
            raise n.get("max").fail(f"max ({hi:g}) is below min ({lo:g})")
        mkt = r.ref(n.get("market"), "market", covered_markets)
        currency = n.get("currency").text(5)
        if currency != markets[mkt].currency:
            raise n.get("currency").fail(
                f"'{currency}' does not match market '{mkt}' ({markets[mkt].currency})"
            )
        r.source_refs.append(n.get("source"))
        return SalaryBand(
            level=covered[0],
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
            levels=covered,
            label=label,
            country_named=n.get("country_named").boolean(default=True),
        )

    covered_markets = {m for m in markets if markets[m].covered}
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
            r.ref(n.get("market"), "market", markets),
            n.get("source").text(),
            n.get("text").text(400),
        )

    def caveat(n: Node) -> Caveat:
        n.mapping(required=("text", "sources"), optional=("markets", "levels", "differ"))
        which_markets, which_levels = n.get("markets"), n.get("levels")
        plain = {k: v for k, v in n.value.items() if k not in ("markets", "levels")}
        item = r.item(Node(plain, n.file, n.line, n.path, n.key_lines))
        chosen_markets = (
            () if which_markets.is_null()
            else tuple(r.ref(c, "market", markets) for c in which_markets.items())
        )  # fmt: skip
        chosen_levels = (
            () if which_levels.is_null()
            else tuple(r.ref(c, "level", levels) for c in which_levels.items())
        )  # fmt: skip
        return Caveat(item, chosen_markets, chosen_levels)

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
        src, dst = r.ref(n.get("from"), "level", levels), r.ref(n.get("to"), "level", levels)
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

    built = r.each(root.get("transitions").items, one, "transition")
    _unique(r, [(n, f"{t.from_level}->{t.to_level}") for n, t in built], "transition")
    return {(t.from_level, t.to_level): t for _, t in built}


def _topics(r: _Reader, root: Node, levels: dict[str, Level]) -> dict[str, Topic]:
    _top(root, "topics")

    def section(n: Node) -> Section:
        n.mapping(required=("items",), optional=("title", "level"))
        level = None if n.get("level").is_null() else r.ref(n.get("level"), "level", levels)
        return Section(n.get("title").optional_text(120), level, r.items(n.get("items")))

    def topic(n: Node) -> tuple[Node, Topic]:
        n.mapping(required=("id", "title", "sections"))
        sections = tuple(section(s) for s in n.get("sections").items())
        return n, Topic(n.get("id").choice(TOPIC_IDS), n.get("title").text(120), sections)

    built = r.each(root.get("topics").items, topic, "topic")
    _unique(r, [(n, t.id) for n, t in built], "topic id")
    topics = {t.id: t for _, t in built}
    missing = [t for t in TOPIC_IDS if t not in topics and not r.suppressed("topic", t)]
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

    built = r.each(root.get("intents").items, intent, "intent")
    _unique(r, [(n, i.id) for n, i in built], "intent")
    intents = {i.id: i for _, i in built}
    missing = [i for i in INTENT_NAMES if i not in intents and not r.suppressed("intent", i)]
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
        # A tip is a small step this project suggests: it builds on sources, it is not one.
        n.mapping(required=("id", "levels", "text", "based_on"))
        tip_levels = tuple(r.ref(child, "level", levels) for child in n.get("levels").items())
        return n, Tip(
            n.get("id").text(60),
            tip_levels,
            n.get("text").text(300),
            r.source_ids(n.get("based_on")),
        )

    built = r.each(root.get("tips").items, tip, "tip")
    _unique(r, [(n, t.id) for n, t in built], "tip id")
    for level in levels:
        if built and not r.broken["tip"] and not any(level in t.levels for _, t in built):
            r.problems.append(root.get("tips").fail(f"no tip for level '{level}'").problem)
    return tuple(t for _, t in built)


def _ladders(r: _Reader, root: Node, levels: dict[str, Level]) -> Ladders:
    _top(root, "companies", "rungs", "caveats")

    def company(n: Node) -> tuple[Node, Company]:
        n.mapping(required=("id", "name", "aliases"))
        aliases = tuple(a.lower() for a in n.get("aliases").texts(max_len=40))
        return n, Company(n.get("id").text(30), n.get("name").text(60), aliases)

    built = r.each(root.get("companies").items, company, "company")
    _unique(r, [(n, c.id) for n, c in built], "company id")
    companies = {c.id: c for _, c in built}

    def rung(n: Node) -> tuple[Node, Rung]:
        n.mapping(
            required=("company", "codes", "level", "sources"), optional=("title", "aliases", "note")
        )
        aliases = n.get("aliases")
        return n, Rung(
            company=r.ref(n.get("company"), "company", companies),
            codes=tuple(str(c.value).upper() for c in n.get("codes").items()),
            title=n.get("title").optional_text(60),
            level=r.ref(n.get("level"), "level", levels),
            note=n.get("note").optional_text(80),
            sources=r.source_ids(n.get("sources")),
            aliases=() if aliases.is_null() else aliases.texts(max_len=40),
        )

    rungs = r.each(root.get("rungs").items, rung)
    _unique(r, [(n, f"{g.company} {c}") for n, g in rungs for c in g.codes], "company level")

    def caveat(n: Node) -> tuple[Item, tuple[str, ...]]:
        n.mapping(required=("text", "sources"), optional=("companies", "differ"))
        which = n.get("companies")
        plain = {k: v for k, v in n.value.items() if k != "companies"}
        item = r.item(Node(plain, n.file, n.line, n.path, n.key_lines))
        return item, () if which.is_null() else tuple(
            r.ref(c, "company", companies) for c in which.items()
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
        src, dst = r.ref(n.get("from"), "level", levels), r.ref(n.get("to"), "level", levels)
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
    """Level, market and title aliases are matched against the same text, so each may name one
    thing."""
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
    sources, kinds, quoted = r.guard(lambda: _sources(r, nodes["sources.yaml"])) or ({}, {}, ())
    levels_read = r.guard(lambda: _levels(r, nodes["levels.yaml"]))
    levels, level_nodes, experience = levels_read or ({}, [], ())
    titles = r.guard(lambda: _company_titles(r, nodes["levels.yaml"], levels)) or {}
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
        + [(n.get("aliases"), m.id, m.aliases) for n, m in market_nodes]
        + r.title_nodes,
    )
    for ref in r.source_refs:
        if isinstance(ref.value, str) and ref.value not in sources:
            if r.suppressed("source", ref.value):
                continue
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
        source_kinds=kinds,
        quoted_names=quoted,
        experience=experience,
        titles=titles,
    )
