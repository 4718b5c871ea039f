"""Reading markets and salary figures (bands, national median, top earners, caveats)."""

from __future__ import annotations

from bot.knowledge.model import BASES, Caveat, Item, Level, Market, Median, SalaryBand
from bot.knowledge.reader import Reader, Suppressed, top, unique
from bot.knowledge.yamlnodes import Invalid, Node


def markets(r: Reader, root: Node) -> list[tuple[Node, Market]]:
    top(root, "markets", "bands", "top_earners", "caveats", optional=("national_median",))

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
    unique(r, [(n, m.id) for n, m in built], "market id")
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
                except Suppressed:
                    pass
    return built


def salaries(
    r: Reader, root: Node, levels: dict[str, Level], markets: dict[str, Market]
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
