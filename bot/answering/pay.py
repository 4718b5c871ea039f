"""Pay figures as lines of an answer: each source's band (with its country and basis, or the fact
that it names none), their spread, and per-level ranges."""

from __future__ import annotations

from collections.abc import Sequence

from bot.answering.answer import Line
from bot.knowledge.model import KnowledgeBase, SalaryBand

_SYMBOLS = {"USD": "$", "GBP": "£", "CAD": "CA$", "AUD": "A$", "EUR": "€"}
_BASIS = {"total": "total comp", "base": "base salary", "unspecified": "pay basis not stated"}
NO_COUNTRY = "no country named"


def money(amount: float, currency: str) -> str:
    """$140k, £55k, CA$90k."""
    symbol = _SYMBOLS.get(currency, currency + " ")
    if amount >= 1_000_000:
        return f"{symbol}{amount / 1_000_000:.1f}m".replace(".0m", "m")
    return f"{symbol}{amount / 1000:.0f}k"


def money_range(lo: float, hi: float | None, open_ended: bool, currency: str) -> str:
    """$140k–$180k, $700k+, $245k+."""
    if hi is None:
        return money(lo, currency) + "+"
    text = f"{money(lo, currency)}–{money(hi, currency)}"
    return text + "+" if open_ended else text


def covered_levels(kb: KnowledgeBase, band: SalaryBand) -> str:
    """The levels a band of several is for: "staff and above", "staff and principal"."""
    levels = band.levels or (band.level,)
    top = max(kb.levels.values(), key=lambda lv: lv.rank).id
    if len(levels) > 1 and levels[-1] == top:
        return f"{levels[0]} and above"
    return " and ".join(levels)


def band_label(kb: KnowledgeBase, band: SalaryBand) -> str:
    """The source, with the band's own name when it covers several levels:
    "Resume-builder guide, Staff+ (staff and above)"."""
    source = kb.sources[band.source].short
    if band.label and len(band.levels) > 1:
        return f"{source}, {band.label} ({covered_levels(kb, band)})"
    return f"{source}, {band.label}" if band.label else source


def place(kb: KnowledgeBase, band: SalaryBand) -> str:
    """Where a figure is from, as its source says: "United States, Bay Area / New York", or that
    the source names no country."""
    if not band.country_named:
        return NO_COUNTRY
    name = kb.markets[band.market].name
    return f"{name}, {band.region}" if band.region else name


def band_line(kb: KnowledgeBase, band: SalaryBand) -> Line:
    """One source's figure with its country and basis: "Career-ladder page: $160k–$220k (no
    country named; pay basis not stated; 5–8 years)"."""
    details = [place(kb, band), _BASIS[band.basis]]
    if band.years:
        details.append(band.years)
    if band.note:
        details.append(band.note)
    amount = money_range(band.min, band.max, band.open_ended, band.currency)
    return Line(f"{band_label(kb, band)}: {amount} ({'; '.join(details)})", (band.source,))


def spread(bands: Sequence[SalaryBand]) -> Line | None:
    """How far the figures for one level and market are apart, and whether they compare."""
    if len(bands) < 2:
        return None
    lo = min(b.min for b in bands)
    hi_known = [b.max for b in bands if b.max is not None]
    hi = max(hi_known + [b.min for b in bands])
    currency = bands[0].currency
    sources = tuple(dict.fromkeys(b.source for b in bands))
    bases = {b.basis for b in bands}
    places = {b.country_named for b in bands}
    unlike = [w for w, mixed in (("basis", len(bases) > 1), ("country", len(places) > 1)) if mixed]
    mixed = f", and they differ in {' and '.join(unlike)}" if unlike else ""
    span = f"from {money(lo, currency)} to {money(hi, currency)}"
    if len(sources) == 1:
        text = f"One source, {len(bands)} different figures: {span}{mixed}."
    else:
        text = f"The {len(sources)} sources disagree: {span}{mixed}."
    return Line(text, sources)


def _range(bands: Sequence[SalaryBand]) -> tuple[str, tuple[str, ...]]:
    lo = min(b.min for b in bands)
    hi_values = [b.max for b in bands if b.max is not None]
    hi = max(hi_values) if hi_values else None
    open_top = hi is None or any(b.max is None or b.open_ended for b in bands)
    sources = tuple(dict.fromkeys(b.source for b in bands))
    count = f"{len(sources)} source{'s' if len(sources) > 1 else ''}"
    return f"{money_range(lo, hi, open_top, bands[0].currency)} ({count})", sources


def range_line(kb: KnowledgeBase, level: str, market: str) -> Line | None:
    """One level's lowest to highest figure in a market, figures whose source names the country
    kept apart from those that name none: "Senior: $200k–$400k in United States (2 sources);
    $160k–$280k, no country named (2 sources)"."""
    bands = kb.bands_for(level, market)
    if not bands:
        return None
    named = [b for b in bands if b.country_named]
    unnamed = [b for b in bands if not b.country_named]
    parts = []
    sources: tuple[str, ...] = ()
    if named:
        text, cited = _range(named)
        parts.append(text.replace(" (", f" in {kb.markets[market].name} (", 1))
        sources += cited
    if unnamed:
        text, cited = _range(unnamed)
        parts.append(text.replace(" (", f", {NO_COUNTRY} (", 1))
        sources += cited
    return Line(f"{kb.levels[level].name}: " + "; ".join(parts), tuple(dict.fromkeys(sources)))


def level_ranges(kb: KnowledgeBase, market: str) -> tuple[Line, ...]:
    """Per level, the lowest to highest figure the sources give for a market."""
    rows = [range_line(kb, level.id, market) for level in kb.levels.values()]
    return tuple(row for row in rows if row)


# -- the pay answer's pieces (issue 14: a headline, one short bullet per source, one caveat) ----

_COUNTS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def count(n: int, noun: str) -> str:
    """ "one source", "three figures" (small counts read better as words)."""
    word = _COUNTS[n] if n < len(_COUNTS) else str(n)
    return f"{word} {noun}{'' if n == 1 else 's'}"


def sources_of(bands: Sequence[SalaryBand]) -> tuple[str, ...]:
    """The bands' sources in order of first appearance."""
    return tuple(dict.fromkeys(b.source for b in bands))


def span(bands: Sequence[SalaryBand]) -> str:
    """The lowest to the highest figure of the bands: "$160k–$400k", "$245k–$700k+"."""
    lo = min(b.min for b in bands)
    tops = [b.max for b in bands if b.max is not None]
    hi = max(tops) if tops else None
    open_top = hi is None or any(b.max is None or b.open_ended for b in bands)
    return money_range(lo, hi, open_top, bands[0].currency)


def headline(bands: Sequence[SalaryBand]) -> str:
    """The range across the bands with how many sources give it: "$200k–$400k (two sources)";
    figures are counted too when a source gives several."""
    n_sources = len(sources_of(bands))
    figures = f", {count(len(bands), 'figure')}" if len(bands) > n_sources else ""
    return f"{span(bands)} ({count(n_sources, 'source')}{figures})"


def _qualifier(kb: KnowledgeBase, band: SalaryBand) -> str:
    """What sets a band apart within its source: its own name ("Staff+") and its region."""
    parts = [p for p in (band.label if len(band.levels) > 1 else None, band.region) if p]
    return f" ({', '.join(parts)})" if parts else ""


def source_line(kb: KnowledgeBase, source: str, bands: Sequence[SalaryBand]) -> Line:
    """One source's figures on one short line: "Resume-builder guide: $200k–$350k (top-tier
    companies), $280k–$400k (Bay Area / New York), total comp"; a figure with no country
    named says so. The basis is named only when the source states it (the caveat line counts
    the others)."""
    figures = [
        money_range(b.min, b.max, b.open_ended, b.currency) + _qualifier(kb, b) for b in bands
    ]
    text = f"{kb.sources[source].short}: {', '.join(figures)}"
    bases = {b.basis for b in bands}
    if len(bases) == 1 and (basis := bases.pop()) != "unspecified":
        text += f", {_BASIS[basis]}"
    if not all(b.country_named for b in bands):
        text += f", {NO_COUNTRY}"
    return Line(text, (source,))


def source_lines(kb: KnowledgeBase, bands: Sequence[SalaryBand]) -> tuple[Line, ...]:
    """One line per source: those naming the country first, then those naming none."""
    ordered = [b for b in bands if b.country_named] + [b for b in bands if not b.country_named]
    by_source: dict[str, list[SalaryBand]] = {}
    for band in ordered:
        by_source.setdefault(band.source, []).append(band)
    return tuple(source_line(kb, source, group) for source, group in by_source.items())


def caveat(bands: Sequence[SalaryBand]) -> Line | None:
    """One line on what the figures leave unsaid: no country named, basis not stated."""
    no_country = sum(not b.country_named for b in bands)
    no_basis = sum(b.basis == "unspecified" for b in bands)
    parts = []
    if no_country:
        parts.append(f"{count(no_country, 'figure')} name{'s' if no_country == 1 else ''} no "
                     "country (dollars, not necessarily US pay)")  # fmt: skip
    if no_basis:
        it = "doesn't say whether it is" if no_basis == 1 else "don't say whether they are"
        parts.append(f"{count(no_basis, 'figure')} {it} base salary or total comp")
    if not parts:
        return None
    return Line("Careful: " + "; ".join(parts) + ".")
