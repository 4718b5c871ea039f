"""The knowledge base: typed career facts loaded from `knowledge/*.yaml` and validated on load."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

from bot.knowledge.lexicon import Lexicon
from bot.knowledge.pay_model import Market as Market
from bot.knowledge.pay_model import Median as Median
from bot.knowledge.pay_model import SalaryBand as SalaryBand
from bot.knowledge.plan_model import Company as Company
from bot.knowledge.plan_model import Plan as Plan
from bot.knowledge.plan_model import PlanItem as PlanItem
from bot.knowledge.plan_model import Rung as Rung
from bot.knowledge.plan_model import Tip as Tip
from bot.knowledge.registry import IntentSpec, MatchSettings, Message, Policy

FILES: tuple[str, ...] = (
    "sources.yaml",
    "levels.yaml",
    "salaries.yaml",
    "transitions.yaml",
    "topics.yaml",
    "intents.yaml",
    "tips.yaml",
    "ladders.yaml",
    "plans.yaml",
    "policy.yaml",
)

PLAN_KINDS = ("technical", "soft", "visibility")

# How far a title reaches: the sources' "lead" runs from small projects to the whole company.
SCOPES = ("project", "team", "organisation")

BASES = ("total", "base", "unspecified")


@dataclass(frozen=True)
class Item:
    """One text in the project's own words: a fact with the ids of the sources that state it,
    (`ours`) advice this project wrote, with the ids of the sources it builds on, or (`absent`)
    what the sources it names leave out."""

    text: str
    sources: tuple[str, ...]
    ours: bool = False  # written as `based_on` in YAML: our suggestion, not a source's statement
    absent: bool = False  # written as `not_in`: what those sources do not cover, as we read them
    differ: bool = False  # says where the sources disagree; shown with the facts it concerns


@dataclass(frozen=True)
class Source:
    """A source document the knowledge base was built from."""

    id: str
    title: str
    publisher: str | None  # None when the document names none
    short: str
    kind: str = "guide"
    note: str | None = None  # what the document is, for maintainers; never shown as a publisher
    url: str | None = None  # where a public reference can be read
    date: str | None = None  # when it was published (or the edition), as the reference gives it

    @property
    def citation(self) -> str:
        """ "“Title”, Publisher", or the title alone when the document names no publisher."""
        text = f"“{self.title}”, {self.publisher}" if self.publisher else f"“{self.title}”"
        date, url = (f", {self.date}" if self.date else ""), (f", {self.url}" if self.url else "")
        return text + date + url


@dataclass(frozen=True)
class SourceKind:
    """A kind of source ("career guide"), with its name for one and for several."""

    id: str
    one: str
    many: str


@dataclass(frozen=True)
class Level:
    """A career level with what it takes and what it teaches."""

    id: str
    name: str
    rank: int
    years_min: float | None
    years_max: float | None
    aliases: tuple[str, ...]
    titles: tuple[Item, ...]
    summary: Item
    responsibilities: tuple[Item, ...]
    technical_skills: tuple[Item, ...]
    soft_skills: tuple[Item, ...]
    focus: tuple[Item, ...]
    learning: tuple[Item, ...]
    notes: tuple[Item, ...]

    @property
    def noun(self) -> str:
        """The name inside a sentence: "senior ML engineer"."""
        return self.name[:1].lower() + self.name[1:]

    @property
    def a_noun(self) -> str:
        """The name with its article: "an aspiring ML engineer"."""
        return ("an " if self.noun[:1] in "aeiou" else "a ") + self.noun


@dataclass(frozen=True)
class Caveat:
    """A remark on pay figures, for the markets and levels it concerns (empty: all)."""

    item: Item
    markets: tuple[str, ...]
    levels: tuple[str, ...]

    def applies(self, market: str | None, level: str | None) -> bool:
        """True when the caveat concerns this market and level."""
        market_ok = not self.markets or market in self.markets
        return market_ok and (not self.levels or level in self.levels)


@dataclass(frozen=True)
class YearsClaim:
    """The years of experience some sources give for a level (`max` None: "8+ years")."""

    level: str
    min: float
    max: float | None
    sources: tuple[str, ...]

    def contains(self, years: float) -> bool:
        """True when `years` is in the range, both ends included ("5–8 years" includes 8)."""
        return years >= self.min and (self.max is None or years <= self.max)

    @property
    def label(self) -> str:
        """ "5–8 years", "8+ years"."""
        if self.max is None:
            return f"{self.min:g}+ years"
        return f"{self.min:g}–{self.max:g} years"


@dataclass(frozen=True)
class YearsReading:
    """The level most sources give for some years of experience, and the claims behind it."""

    years: float
    level: str | None
    differ: bool  # the sources place these years at different levels, or leave them in a gap
    claims: tuple[YearsClaim, ...]  # the ranges containing the years, then the gaps' next ranges


@dataclass(frozen=True)
class TitleReading:
    """What one or more sources mean by a title: the level it sits at, and at what scope."""

    level: str
    scope: str  # project | team | organisation
    item: Item


@dataclass(frozen=True)
class CompanyTitle:
    """A title whose level depends on the company ("tech lead", "head of AI"), with what each
    source means by it and an item saying where they differ."""

    id: str
    name: str
    aliases: tuple[str, ...]
    readings: tuple[TitleReading, ...]
    differ: Item


@dataclass(frozen=True)
class YearRange:
    """A range of years with its sources."""

    min: float
    max: float
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Transition:
    """A move from one level to the next."""

    from_level: str
    to_level: str
    typical: YearRange | None
    accelerated: YearRange | None
    focus: tuple[Item, ...]
    skills_to_add: tuple[Item, ...]
    soft_skills: tuple[Item, ...]
    interviews: tuple[Item, ...]
    how_to_advance: tuple[Item, ...]
    notes: tuple[Item, ...]


@dataclass(frozen=True)
class Section:
    """Part of a topic, optionally about one level, or for people coming from some fields."""

    title: str | None
    level: str | None
    items: tuple[Item, ...]
    backgrounds: tuple[str, ...] = ()  # for someone moving into ML from these fields


@dataclass(frozen=True)
class Topic:
    """A subject such as interviews or IC vs management."""

    id: str
    title: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Ladders:
    """The level translator's data: companies, their rungs, and what to be careful about."""

    companies: dict[str, Company]
    rungs: tuple[Rung, ...]
    caveats: tuple[tuple[Item, tuple[str, ...]], ...]


@dataclass
class KnowledgeBase:
    """Everything the advisor knows, validated and cross-referenced."""

    root: Path
    sources: dict[str, Source]
    levels: dict[str, Level]
    markets: dict[str, Market]
    bands: tuple[SalaryBand, ...]
    median: Median | None
    top_earners: tuple[Item, ...]
    salary_caveats: tuple[Caveat, ...]
    transitions: dict[tuple[str, str], Transition]
    topics: dict[str, Topic]
    intents: dict[str, IntentSpec]
    synonyms: dict[str, tuple[str, ...]]
    stopwords: tuple[str, ...]
    domain_words: tuple[str, ...]
    settings: MatchSettings
    tips: tuple[Tip, ...] = ()
    ladders: Ladders = Ladders({}, (), ())
    plans: dict[str, Plan] = field(default_factory=dict)  # by from_level
    source_kinds: dict[str, SourceKind] = field(default_factory=dict)
    quoted_names: tuple[str, ...] = ()  # titles, courses and books texts may quote word for word
    experience: tuple[YearsClaim, ...] = ()  # each source's years of experience per level
    titles: dict[str, CompanyTitle] = field(default_factory=dict)  # by id

    def describe_sources(self) -> str:
        """The sources counted by kind: "five career guides and three ladder compilations"."""
        parts = []
        for kind in self.source_kinds.values():
            count = sum(s.kind == kind.id for s in self.sources.values())
            if count:
                parts.append(f"{_count_word(count)} {kind.one if count == 1 else kind.many}")
        return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 2 else parts)

    def bands_for(self, level: str, market: str) -> list[SalaryBand]:
        """Every figure for `level` in `market`, bands of several levels included."""
        return [b for b in self.bands if b.market == market and b.covers(level)]

    @property
    def covered_markets(self) -> list[Market]:
        """The markets some source has pay figures for."""
        return [m for m in self.markets.values() if m.covered]

    lexicon: Lexicon = field(default_factory=Lexicon)  # the language file's word lists
    policy: Policy = field(default_factory=lambda: Policy({}))  # how readings become intents
    messages: tuple[Message, ...] = ()  # real people's messages the intent model learns from

    @cached_property
    def fallback(self) -> str:
        """The intent of a message about none of the others (out of scope)."""
        return next(i.id for i in self.intents.values() if i.fallback)

    def plan_item(self, item_id: str) -> PlanItem | None:
        """A plan item by id, in any plan."""
        for plan in self.plans.values():
            for item in plan.items:
                if item.id == item_id:
                    return item
        return None

    def level_by_rank(self, rank: int) -> Level | None:
        """The level with this rank, if any."""
        for level in self.levels.values():
            if level.rank == rank:
                return level
        return None

    def next_level(self, level_id: str) -> str | None:
        """The level after `level_id`, or None at the top."""
        nxt = self.level_by_rank(self.levels[level_id].rank + 1)
        return nxt.id if nxt else None

    def previous_level(self, level_id: str) -> str | None:
        """The level before `level_id`, or None at the bottom."""
        prev = self.level_by_rank(self.levels[level_id].rank - 1)
        return prev.id if prev else None

    def level_for_years(self, years: float) -> str | None:
        """The level most sources give for `years` of experience (a tie: the lower level)."""
        return self.years_reading(years).level

    def years_reading(self, years: float) -> YearsReading:
        """Where the sources place `years` of experience, and whether they agree."""
        votes: dict[str, set[str]] = {}
        placed: list[YearsClaim] = []
        for claim in self.experience:
            if claim.contains(years):
                votes.setdefault(claim.level, set()).update(claim.sources)
                placed.append(claim)
        # A source whose ranges leave a gap around `years` ("staff takes a decade") places it
        # below its next range: that is a disagreement too.
        gaps: list[YearsClaim] = []
        for source in dict.fromkeys(s for c in self.experience for s in c.sources):
            own = [c for c in self.experience if source in c.sources]
            if any(c.contains(years) for c in own) or not any(c.min < years for c in own):
                continue
            above = [c for c in own if c.min > years]
            if above:
                nearest = min(above, key=lambda c: c.min)
                gaps.append(YearsClaim(nearest.level, nearest.min, nearest.max, (source,)))
        if not votes:
            return YearsReading(years, None, False, tuple(gaps))
        # Most sources win; a tie goes to the lower level, since a boundary year is where the
        # lower level's range ends as often as where the next one starts.
        best = max(votes, key=lambda lv: (len(votes[lv]), -self.levels[lv].rank))
        return YearsReading(years, best, len(votes) > 1 or bool(gaps), tuple(placed + gaps))


_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve")  # fmt: skip


def _count_word(n: int) -> str:
    return _COUNT_WORDS[n] if n < len(_COUNT_WORDS) else str(n)


def default_dir() -> Path:
    """Where the knowledge base is: $CAREERBOT_KNOWLEDGE, else the copy shipped in the package."""
    env = os.environ.get("CAREERBOT_KNOWLEDGE")
    if env:
        return Path(env)
    packaged = Path(str(resources.files("bot"))) / "_knowledge"
    if packaged.is_dir():
        return packaged
    # Running from a source checkout (editable install): the repository's knowledge/ folder.
    return Path(__file__).resolve().parent.parent.parent / "knowledge"
