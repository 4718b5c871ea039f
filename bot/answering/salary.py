"""Pay answers: a headline with the range across sources for the level and market, one short
bullet per source, one caveat line for what the figures leave unsaid, and the absent figure said
first when no source has one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.answering import pay
from bot.answering.answer import Answer, Block, Line, Suggestion
from bot.domain import Profile, Query
from bot.knowledge.model import Item, Market

if TYPE_CHECKING:
    from bot.answering.answers import Answers

# How many of the knowledge base's remarks on pay a figure answer shows (disagreements that
# concern the answer come on top: they are never cut).
REMARKS = 1


def _remarks(items: Iterable[Item], limit: int) -> tuple[Line, ...]:
    items = list(items)
    differ = [i for i in items if i.differ]
    facts = [i for i in items if not i.differ][: max(0, limit - len(differ))]
    return tuple(Line(i.text, i.sources, i.ours, i.absent) for i in facts + differ)


class SalaryAnswers:
    """The salary builder, for one knowledge base (helpers shared with the other answers)."""

    def __init__(self, answers: Answers) -> None:
        self.answers = answers
        self.kb = answers.kb

    def salary(self, q: Query, profile: Profile) -> Answer:
        """Pay for a level in a market; the per-level overview without a level; for a market no
        source covers, says so first and offers the closest figures as a comparison only."""
        market = q.market or "us"
        if not self.answers.covered_market(market) and market in self.kb.markets:
            return self._uncovered(q, self.kb.markets[market])
        if q.level is None:
            return self._overview(q, market)
        level = self.kb.levels[q.level]
        market_name = self.answers.market_name(market)
        bands = self.kb.bands_for(q.level, market)
        if not bands:
            return self._absent(q, market)
        named = [b for b in bands if b.country_named]
        unnamed = [b for b in bands if not b.country_named]
        lead = None
        if named and unnamed:
            n = len(pay.sources_of(unnamed))
            lead = (f"{pay.count(n, 'more source').capitalize()} give{'s' if n == 1 else ''} "
                    f"{pay.span(unnamed)} without naming a country.")  # fmt: skip
        headline = pay.headline(named or unnamed) + ("" if named else ", no country named")
        rows = pay.source_lines(self.kb, bands)
        caveat = pay.caveat(bands)
        blocks = [Block(None, rows + ((caveat,) if caveat else ()))]
        blocks += self._caveats(market, q.level)
        return Answer(
            f"{level.name} pay in {market_name}: {headline}",
            lead,
            tuple(blocks),
            self._follow_ups(q, profile, market),
        )

    def _follow_ups(self, q: Query, profile: Profile, market: str) -> tuple[Suggestion, ...]:
        """The next level's pay here, the move up, and the user's own market if it is another
        one (a comparison with the US only for a user whose market is not known)."""
        assert q.level
        nxt = self.kb.next_level(q.level)
        home = profile.market if profile.market and profile.market != market else None
        if home is None and profile.market is None and market != "us":
            home = "us"
        return self.answers.suggest(
            Query("salary", nxt, None, market) if nxt else None,
            Query("promotion", nxt, q.level) if nxt else None,
            Query("salary", q.level, None, home) if home else None,
        )

    def _absent(self, q: Query, market: str) -> Answer:
        """No source has a figure for this level here: said in the heading; what they do cover
        here, and the US figures as a comparison."""
        assert q.level
        level = self.kb.levels[q.level]
        name = self.answers.market_name(market)
        here = [lv.id for lv in self.kb.levels.values() if self.kb.bands_for(lv.id, market)]
        lead = f"For {name} they cover {_and(here)} only." if here else None
        blocks: list[Block] = []
        us = [b for b in self.kb.bands_for(q.level, "us") if b.country_named]
        if us and market != "us":
            title = f"US figures for comparison: {pay.headline(us)}"
            blocks.append(Block(title, pay.source_lines(self.kb, us)))
        blocks += self._caveats(market, q.level)
        nearest = [lv for lv in here if lv != q.level]
        return Answer(
            f"{level.name} pay in {name}: no source has a figure",
            lead,
            tuple(blocks),
            self.answers.suggest(
                Query("salary", nearest[-1], None, market) if nearest else None,
                Query("salary", q.level, None, "us") if us and market != "us" else None,
            ),
        )

    def _caveats(self, market: str, level: str | None) -> list[Block]:
        caveats = sorted(
            (c for c in self.kb.salary_caveats if c.applies(market, level)),
            # The most specific remarks first: those about this level, then this market.
            key=lambda c: -(2 * bool(c.levels) + bool(c.markets)),
        )
        rows = _remarks((c.item for c in caveats), REMARKS)
        return [Block(None, rows)] if rows else []

    def _uncovered(self, q: Query, market: Market) -> Answer:
        """Pay in a market no source covers: said first, then the closest figures there are,
        labelled as another market's."""
        covered = ", ".join(m.name for m in self.kb.covered_markets)
        who = self.kb.levels[q.level].name if q.level else "ML engineer"
        blocks = [Block(None, (Line(f"None of the sources has pay figures for {market.name}: "
                                    f"they cover {covered}."),))]  # fmt: skip
        compare = self.kb.markets.get(market.compare_with or "")
        if compare is not None:
            title = f"For comparison only, not figures for {market.name}: {compare.name}"
            bands = self.kb.bands_for(q.level, compare.id) if q.level else []
            if bands:
                title += f", {pay.headline(bands)}"
                rows = pay.source_lines(self.kb, bands)
            else:
                rows = pay.level_ranges(self.kb, compare.id)
            blocks.append(Block(title, rows))
        blocks += self._caveats(market.id, q.level)
        return Answer(
            f"{who} pay in {market.name}: no source has figures",
            None,
            tuple(blocks),
            self.answers.suggest(
                Query("salary", q.level, None, compare.id) if compare else None,
                Query("salary", q.level, None, "us"),
                Query("salary", q.level, None, "uk") if not compare else None,
            ),
        )

    def _overview(self, q: Query, market: str) -> Answer:
        blocks = [
            Block("Range of the sources' figures per level", pay.level_ranges(self.kb, market))
        ]
        median = self.kb.median
        if median and median.market == market:
            blocks.append(Block(None, (Line(median.text, (median.source,)),)))
        blocks.append(Block("What top earners have in common", _remarks(self.kb.top_earners, 3)))
        covered = [lv for lv in ("junior", "senior", "staff") if self.kb.bands_for(lv, market)]
        return Answer(
            f"ML engineer pay in {self.answers.market_name(market)}",
            "Tell me your level (for example “I'm mid-level”) for figures that fit you.",
            tuple(blocks),
            self.answers.suggest(*(Query("salary", lv, None, q.market) for lv in covered)),
        )


def _and(words: list[str]) -> str:
    """ "junior and senior", "junior, mid and senior"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
