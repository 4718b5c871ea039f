"""The knowledge model of coaching: tips, plans and their items, and big-tech ladders' rungs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tip:
    """One small next step, sent as a nudge to users at the given levels."""

    id: str
    levels: tuple[str, ...]
    text: str
    based_on: tuple[str, ...]  # a tip is our suggestion: the sources it builds on


@dataclass(frozen=True)
class PlanItem:
    """One thing to have or do for the next level (its `sources` state it) and how to show it
    (`show`: our suggestion, building on those sources)."""

    id: str
    kind: str  # technical | soft | visibility
    name: str
    aliases: tuple[str, ...]
    show: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """The checklist for one move between levels."""

    from_level: str
    to_level: str
    items: tuple[PlanItem, ...]


@dataclass(frozen=True)
class Company:
    """A company whose engineering ladder the level translator knows."""

    id: str
    name: str
    aliases: tuple[str, ...]
    numbered: bool = False  # its levels are bare numbers ("microsoft 62")


@dataclass(frozen=True)
class Rung:
    """One company level (its codes, title) and the bot's level it roughly matches."""

    company: str
    codes: tuple[str, ...]
    title: str | None
    level: str
    note: str | None
    sources: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # other names of the title ("SDE 2" for "SDE II")

    @property
    def label(self) -> str:
        """ "L5 (Senior SWE)", "63–64"."""
        codes = "–".join(self.codes) if len(self.codes) == 2 else "/".join(self.codes)
        return f"{codes} ({self.title})" if self.title else codes
