"""Reading topics, tips, the big-tech ladders and the plans."""

from __future__ import annotations

import re

from bot.knowledge.lexicon import BACKGROUND_IDS
from bot.knowledge.model import (
    PLAN_KINDS,
    Company,
    Item,
    Ladders,
    Level,
    Plan,
    PlanItem,
    Rung,
    Section,
    Tip,
    Topic,
)
from bot.knowledge.reader import Reader, top, unique
from bot.knowledge.yamlnodes import Node


def topics(r: Reader, root: Node, levels: dict[str, Level]) -> dict[str, Topic]:
    top(root, "topics")

    def section(n: Node) -> Section:
        n.mapping(required=("items",), optional=("title", "level", "for"))
        level = None if n.get("level").is_null() else r.ref(n.get("level"), "level", levels)
        fields = () if n.get("for").is_null() else tuple(
            child.choice(BACKGROUND_IDS) for child in n.get("for").items()
        )  # fmt: skip
        return Section(n.get("title").optional_text(120), level, r.items(n.get("items")), fields)

    def topic(n: Node) -> tuple[Node, Topic]:
        n.mapping(required=("id", "title", "sections"))
        sections = tuple(section(s) for s in n.get("sections").items())
        ident = n.get("id").text(40)
        if not ident.isidentifier() or ident != ident.lower():
            raise n.get("id").fail("a topic id is lower-case letters, digits and '_'")
        return n, Topic(ident, n.get("title").text(120), sections)

    built = r.each(root.get("topics").items, topic, "topic")
    unique(r, [(n, t.id) for n, t in built], "topic id")
    return {t.id: t for _, t in built}


def tips(r: Reader, root: Node, levels: dict[str, Level]) -> tuple[Tip, ...]:
    top(root, "tips")

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
    unique(r, [(n, t.id) for n, t in built], "tip id")
    for level in levels:
        if built and not r.broken["tip"] and not any(level in t.levels for _, t in built):
            r.problems.append(root.get("tips").fail(f"no tip for level '{level}'").problem)
    return tuple(t for _, t in built)


def ladders(r: Reader, root: Node, levels: dict[str, Level]) -> Ladders:
    top(root, "companies", "rungs", "caveats")

    def company(n: Node) -> tuple[Node, Company]:
        n.mapping(required=("id", "name", "aliases"), optional=("numbered",))
        aliases = tuple(a.lower() for a in n.get("aliases").texts(max_len=40))
        numbered = n.get("numbered").boolean()
        return n, Company(n.get("id").text(30), n.get("name").text(60), aliases, numbered)

    built = r.each(root.get("companies").items, company, "company")
    unique(r, [(n, c.id) for n, c in built], "company id")
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
    unique(r, [(n, f"{g.company} {c}") for n, g in rungs for c in g.codes], "company level")

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


def plans(r: Reader, root: Node, levels: dict[str, Level]) -> dict[str, Plan]:
    top(root, "plans")

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
    unique(r, [(n, p.from_level) for n, p in built], "plan from level")
    ids = [
        (inode, it.id)
        for n, p in built
        for inode, it in zip(n.get("items").items(), p.items, strict=False)
    ]
    unique(r, ids, "plan item id")
    return {p.from_level: p for _, p in built}
