"""Pay figures as lines of an answer: each source's band, their spread, per-level ranges."""

from __future__ import annotations

from collections.abc import Sequence

from bot.answering.answer import Line
from bot.knowledge.model import KnowledgeBase, SalaryBand

_SYMBOLS = {"USD": "$", "GBP": "£", "CAD": "CA$", "AUD": "A$", "EUR": "€"}
_BASIS = {"total": "total comp", "base": "base salary", "unspecified": "pay basis not stated"}


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


def band_line(kb: KnowledgeBase, band: SalaryBand) -> Line:
    """One source's figure, with what it measures: "Levels.fyi: $180k–$250k (total comp)"."""
    source = kb.sources[band.source].short
    details = [_BASIS[band.basis]]
    if band.region:
        details.append(band.region)
    if band.years:
        details.append(band.years)
    if band.note:
        details.append(band.note)
    amount = money_range(band.min, band.max, band.open_ended, band.currency)
    return Line(f"{source}: {amount} ({'; '.join(details)})", (band.source,))


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
    mixed = ", and they do not all measure the same thing" if len(bases) > 1 else ""
    span = f"from {money(lo, currency)} to {money(hi, currency)}"
    if len(sources) == 1:
        text = f"One source, {len(bands)} different figures: {span}{mixed}."
    else:
        text = f"The {len(sources)} sources disagree: {span}{mixed}."
    return Line(text, sources)


def level_ranges(kb: KnowledgeBase, market: str) -> tuple[Line, ...]:
    """Per level, the lowest to highest figure the sources give for a market."""
    rows: list[Line] = []
    for level in kb.levels.values():
        bands = [b for b in kb.bands if b.level == level.id and b.market == market]
        if not bands:
            continue
        lo = min(b.min for b in bands)
        hi_values = [b.max for b in bands if b.max is not None]
        hi = max(hi_values) if hi_values else None
        open_top = hi is None or any(b.max is None or b.open_ended for b in bands)
        sources = tuple(dict.fromkeys(b.source for b in bands))
        text = f"{level.name}: {money_range(lo, hi, open_top, bands[0].currency)}"
        text += f" ({len(sources)} source{'s' if len(sources) > 1 else ''})"
        rows.append(Line(text, sources))
    return tuple(rows)
