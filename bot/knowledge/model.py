"""The knowledge base: typed career facts loaded from `knowledge/*.yaml` and validated on load."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

# The intents the advisor knows how to answer. The JSON interface reports these names, so they are
# part of the code's contract; their phrasings live in knowledge/intents.yaml.
INTENT_NAMES: tuple[str, ...] = (
    "skills",
    "salary",
    "timeline",
    "promotion",
    "level_overview",
    "compare_levels",
    "next_steps",
    "stuck",
    "ic_vs_management",
    "switch_company",
    "interviews",
    "resume",
    "certifications",
    "getting_started",
    "role",
    "specialization",
    "soft_skills",
    "pitfalls",
    "accelerate",
    "pros_cons",
    "set_level",
    "set_market",
    "greeting",
    "help",
    "nudges",
    "forget",
    "plan",
    "level_mapping",
    "out_of_scope",
)

# Topics the answers read by id (each documented in the README's knowledge-base section).
TOPIC_IDS: tuple[str, ...] = (
    "role",
    "titles",
    "skills_architecture",
    "getting_started",
    "certifications",
    "interviews",
    "resume",
    "specialization",
    "soft_skills",
    "accelerate",
    "stuck",
    "ic_vs_management",
    "switch_company",
    "pitfalls",
    "pros_cons",
    "next_steps",
)

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
)

PLAN_KINDS = ("technical", "soft", "visibility")

BASES = ("total", "base", "unspecified")


@dataclass(frozen=True)
class Item:
    """One fact, in the project's own words, with the ids of the sources that state it."""

    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    """A source document the knowledge base was built from."""

    id: str
    title: str
    publisher: str
    short: str


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
class Market:
    """A salary market (country) and the names users give it."""

    id: str
    name: str
    currency: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class SalaryBand:
    """One source's salary figure for one level in one market."""

    level: str
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
class Median:
    """A national median salary."""

    amount: float
    currency: str
    market: str
    source: str
    text: str


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
    """Part of a topic, optionally about one level."""

    title: str | None
    level: str | None
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Topic:
    """A subject such as interviews or IC vs management."""

    id: str
    title: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Tip:
    """One small next step, sent as a nudge to users at the given levels."""

    id: str
    levels: tuple[str, ...]
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PlanItem:
    """One thing to have or do for the next level, how to show it, and its sources."""

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


@dataclass(frozen=True)
class Ladders:
    """The level translator's data: companies, their rungs, and what to be careful about."""

    companies: dict[str, Company]
    rungs: tuple[Rung, ...]
    caveats: tuple[tuple[Item, tuple[str, ...]], ...]


@dataclass(frozen=True)
class IntentSpec:
    """How users phrase an intent: example messages."""

    id: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds for intent matching, tuned with `careerbot eval`."""

    threshold: float
    margin: float
    beta: float
    min_evidence: float
    unknown_evidence: float
    scope_bias: float
    bayes_weight: float = 0.0


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
        """The level whose typical experience range contains `years`."""
        for level in self.levels.values():
            lo, hi = level.years_min, level.years_max
            if lo is not None and years >= lo and (hi is None or years < hi):
                return level.id
        return None


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
