"""Reading sources, levels (with each source's years), company-dependent titles and transitions."""

from __future__ import annotations

from bot.knowledge.model import (
    SCOPES,
    CompanyTitle,
    Item,
    Level,
    Source,
    SourceKind,
    TitleReading,
    Transition,
    YearsClaim,
)
from bot.knowledge.reader import Reader, top, unique
from bot.knowledge.yamlnodes import Node


def sources(
    r: Reader, root: Node
) -> tuple[dict[str, Source], dict[str, SourceKind], tuple[str, ...]]:
    top(root, "sources", "kinds", optional=("quoted_names",))

    def kind(n: Node) -> tuple[Node, SourceKind]:
        n.mapping(required=("id", "one", "many"))
        return n, SourceKind(n.get("id").text(30), n.get("one").text(60), n.get("many").text(60))

    kinds_built = r.each(root.get("kinds").items, kind, "source kind")
    unique(r, [(n, k.id) for n, k in kinds_built], "source kind")
    kinds = {k.id: k for _, k in kinds_built}

    def one(n: Node) -> tuple[Node, Source]:
        n.mapping(
            required=("id", "title", "publisher", "short", "kind"),
            optional=("file", "note", "url", "date"),
        )
        url = n.get("url").optional_text(300)
        if url is not None and not url.startswith(("https://", "http://")):
            raise n.get("url").fail("expected an http(s) address")
        source = Source(
            n.get("id").text(60),
            n.get("title").text(),
            n.get("publisher").optional_text(80),
            n.get("short").text(40),
            r.ref(n.get("kind"), "source kind", kinds),
            n.get("note").optional_text(200),
            url,
            n.get("date").optional_text(80),
        )
        # A public reference beyond the five documents is cited by where and when it appeared.
        if source.kind == "reference" and (source.url is None or source.date is None):
            raise n.fail("a reference needs 'url' and 'date'")
        return n, source

    built = r.each(root.get("sources").items, one, "source")
    unique(r, [(n, s.id) for n, s in built], "source id")
    names = root.get("quoted_names")
    quoted = () if names.is_null() else names.texts(max_len=120)
    return {s.id: s for _, s in built}, kinds, quoted


def level(r: Reader, n: Node) -> Level:
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


def experience(r: Reader, n: Node) -> tuple[YearsClaim, ...]:
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


def levels(
    r: Reader, root: Node
) -> tuple[dict[str, Level], list[tuple[Node, Level]], tuple[YearsClaim, ...]]:
    top(root, "levels", optional=("company_titles",))
    built = r.each(root.get("levels").items, lambda n: (n, level(r, n), experience(r, n)), "level")
    unique(r, [(n, lv.id) for n, lv, _ in built], "level id")
    unique(r, [(n.get("rank"), str(lv.rank)) for n, lv, _ in built], "level rank")
    ranks = sorted(lv.rank for _, lv, _ in built)
    # With a level left out because it is invalid, the gap in the ranks is no news.
    complete = not r.broken["level"] and "level" not in r.unnamed
    if built and complete and ranks != list(range(len(ranks))):
        r.problems.append(root.get("levels").fail(f"ranks must be 0..{len(ranks) - 1}").problem)
    levels = {lv.id: lv for _, lv, _ in sorted(built, key=lambda t: t[1].rank)}
    claims = tuple(c for _, _, cs in built for c in cs)
    return levels, [(n, lv) for n, lv, _ in built], claims


def company_titles(r: Reader, root: Node, levels: dict[str, Level]) -> dict[str, CompanyTitle]:
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
    unique(r, [(n, t.id) for n, t in built], "title id")
    r.title_nodes = [(n.get("aliases"), t.id, t.aliases) for n, t in built]
    return {t.id: t for _, t in built}


def transitions(
    r: Reader, root: Node, levels: dict[str, Level]
) -> dict[tuple[str, str], Transition]:
    top(root, "transitions")

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
    unique(r, [(n, f"{t.from_level}->{t.to_level}") for n, t in built], "transition")
    return {(t.from_level, t.to_level): t for _, t in built}
