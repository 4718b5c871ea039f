"""The knowledge model of pay: markets, each source's salary figures and the national median."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Market:
    """A salary market (country) and the names users give it.

    A market no source has figures for is still known (`covered` false), so that a question about
    it is answered as such; `compare_with` is the covered market offered for comparison, if any.
    """

    id: str
    name: str
    currency: str
    aliases: tuple[str, ...]
    covered: bool = True
    compare_with: str | None = None


@dataclass(frozen=True)
class SalaryBand:
    """One source's salary figure for one or more levels (a "Staff+" band) in one market."""

    level: str  # the lowest level the figure is for
    market: str
    source: str
    min: float
    max: float | None
    open_ended: bool
    currency: str
    basis: str
    region: str | None
    years: str | None
    note: str | None
    levels: tuple[str, ...] = ()  # every level the figure is for (empty: just `level`)
    label: str | None = None  # the source's name for a band of several levels ("Staff+")
    country_named: bool = True  # False: the source gives the currency but names no country

    def covers(self, level: str) -> bool:
        """True when the figure is for `level` (a Staff+ band is for staff and principal)."""
        return level in (self.levels or (self.level,))


@dataclass(frozen=True)
class Median:
    """A national median salary."""

    amount: float
    currency: str
    market: str
    source: str
    text: str
