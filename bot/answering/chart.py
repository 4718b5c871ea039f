"""Pay ranges as a picture: one horizontal bar per source for a level and market, labelled with
the source and its range, the currency on the axis. Drawn with matplotlib's Agg canvas (no
display, no pyplot state), cached per (level, market, knowledge version)."""

from __future__ import annotations

import hashlib
import io
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.answering import pay
from bot.knowledge.model import KnowledgeBase, SalaryBand

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# How far past its start an open-ended figure ("$245k+") is drawn when nothing bounds it.
OPEN_STRETCH = 1.3
NAMED_COLOUR, UNNAMED_COLOUR = "#2f6db5", "#9bb8dc"
CACHED = 64


class NoFigures(LookupError):
    """No source has a figure for this level and market: there is nothing to draw."""


@dataclass(frozen=True)
class Bar:
    """One source's range: its label, lowest and highest figure (None: open-ended with no top
    given), whether the top is open, and whether the source names the country."""

    label: str
    low: float
    high: float | None
    open_ended: bool
    country_named: bool
    # Each figure of a source that gives several: (low, high or None), drawn inside its bar.
    figures: tuple[tuple[float, float | None], ...] = ()

    def text(self, currency: str) -> str:
        """The range as the answers write it: "$200k–$400k", "$245k+"."""
        return pay.money_range(self.low, self.high, self.open_ended, currency)


@dataclass(frozen=True)
class Picture:
    """What a chart shows, before it is drawn."""

    title: str
    currency: str
    bars: tuple[Bar, ...]


def picture(kb: KnowledgeBase, level: str, market: str) -> Picture:
    """The bars for a level and market: one per source (a source with several figures spans
    them all), sources naming the country first; NoFigures when there are none."""
    if level not in kb.levels or market not in kb.markets:
        raise NoFigures(f"unknown level or market: {level} {market}")
    bands = kb.bands_for(level, market)
    if not bands:
        name = kb.markets[market].name
        raise NoFigures(f"no source has a figure for {kb.levels[level].a_noun} in {name}")
    by_source: dict[str, list[SalaryBand]] = {}
    for band in sorted(bands, key=lambda b: not b.country_named):
        by_source.setdefault(band.source, []).append(band)
    bars = []
    for source, group in by_source.items():
        tops = [b.max for b in group if b.max is not None]
        label = kb.sources[source].short
        if len(group) > 1:
            label += f" ({len(group)} figures)"
        named = all(b.country_named for b in group)
        if not named:
            label += ", no country named"
        bars.append(
            Bar(label, min(b.min for b in group), max(tops) if tops else None,
                any(b.open_ended or b.max is None for b in group), named,
                tuple((b.min, b.max) for b in group) if len(group) > 1 else ())
        )  # fmt: skip
    title = f"{kb.levels[level].name} pay in {kb.markets[market].name}"
    return Picture(title, bands[0].currency, tuple(bars))


def figure(kb: KnowledgeBase, level: str, market: str) -> Figure:
    """The chart as a matplotlib Figure (tests inspect its bars before it is saved)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    shown = picture(kb, level, market)
    bars = list(reversed(shown.bars))  # the first source on top
    right = max(b.high or b.low * OPEN_STRETCH for b in bars)
    fig = Figure(figsize=(8, 1.6 + 0.7 * len(bars)), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    for row, bar in enumerate(bars):
        end = bar.high if bar.high is not None else bar.low * OPEN_STRETCH
        colour = NAMED_COLOUR if bar.country_named else UNNAMED_COLOUR
        ax.barh(row, end - bar.low, left=bar.low, height=0.55, color=colour,
                hatch="//" if bar.open_ended else None, edgecolor="white",
                label=bar.label)  # fmt: skip
        for i, (low, high) in enumerate(bar.figures):
            # Where each of the source's figures lies, as a thin line across its bar.
            y = row + 0.15 * (i - (len(bar.figures) - 1) / 2)
            ax.hlines(y, low, high or low * OPEN_STRETCH, colors="black", linewidth=1.5)
        ax.text(end + right * 0.01, row, _plain(bar.text(shown.currency)), va="center",
                fontsize=9)  # fmt: skip
    ax.set_yticks(range(len(bars)), [_plain(b.label) for b in bars], fontsize=9)
    ax.set_xlim(0, right * 1.22)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: _plain(pay.money(x, shown.currency))))
    ax.set_xlabel(f"Pay per year ({shown.currency}), as each source gives it")
    ax.set_title(shown.title, fontsize=12, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    legend = [Patch(color=NAMED_COLOUR, label="names the country")]
    if not all(b.country_named for b in bars):
        legend.append(Patch(color=UNNAMED_COLOUR, label="names no country"))
    if any(b.figures for b in bars):
        legend.append(Patch(color="black", label="each figure of a source that gives several"))
    if any(b.open_ended for b in bars):
        legend.append(Patch(facecolor="white", edgecolor="grey", hatch="//",
                            label="open-ended (“and above”)"))  # fmt: skip
    fig.legend(handles=legend, loc="outside lower center", ncols=len(legend), fontsize=8,
               frameon=False)  # fmt: skip
    return fig


def _plain(text: str) -> str:
    """Text shown as written: a "$" would otherwise start matplotlib's math mode."""
    return text.replace("$", r"\$")


def png(fig: Figure) -> bytes:
    """A figure as PNG bytes, drawn by the Agg canvas (no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def knowledge_version(root: Path) -> str:
    """A digest of the knowledge base's files: a chart drawn from other figures is another."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class Charts:
    """Pay charts for one knowledge base, each drawn once per (level, market, version)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.version = knowledge_version(kb.root)
        self._cache: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self.drawn = 0  # how many were drawn rather than taken from the cache

    def available(self, level: str | None, market: str | None) -> bool:
        """True when a chart can be drawn: some source has a figure for the level here."""
        return bool(level and level in self.kb.levels and market in self.kb.markets
                    and self.kb.bands_for(level, market or ""))  # fmt: skip

    def png(self, level: str, market: str) -> bytes:
        """The chart's PNG; NoFigures when no source has a figure."""
        key = (level, market, self.version)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        data = png(figure(self.kb, level, market))
        self.drawn += 1
        self._cache[key] = data
        if len(self._cache) > CACHED:
            self._cache.popitem(last=False)
        return data

    def filename(self, level: str, market: str) -> str:
        """ "pay-senior-uk.png"."""
        return f"pay-{level}-{market}.png"

    def caption(self, level: str, market: str) -> str:
        """One line under the picture: what it shows and where the figures come from."""
        shown = picture(self.kb, level, market)
        return (f"{shown.title}: one bar per source ({shown.currency}). Open-ended bars are "
                "“and above” figures; pale bars name no country.")  # fmt: skip
