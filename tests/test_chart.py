"""Pay charts: one bar per source for a level and market, labelled, the currency shown; a valid
PNG; drawn once per (level, market, knowledge version)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from matplotlib.patches import Rectangle

from bot.answering import chart
from bot.knowledge import loader
from bot.knowledge.model import KnowledgeBase

PNG = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG) and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _bars(fig: object) -> list[Rectangle]:
    (ax,) = fig.axes  # type: ignore[attr-defined]
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_one_labelled_bar_per_source_with_its_range(kb: KnowledgeBase) -> None:
    fig = chart.figure(kb, "senior", "us")
    bars = _bars(fig)
    sources = list(dict.fromkeys(b.source for b in kb.bands_for("senior", "us")))
    assert len(bars) == len(sources) == 4
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # The first source is drawn on top; each label names its source.
    names = [kb.sources[s].short.replace("$", r"\$") for s in sources]
    assert [label.split(" (")[0].split(",")[0] for label in reversed(labels)] == names
    assert sum("no country named" in label for label in labels) == 2
    # Each bar spans its source's lowest to highest figure.
    spans = {(round(b.get_x()), round(b.get_x() + b.get_width())) for b in bars}
    assert (200000, 400000) in spans  # the resume-builder guide's two figures together
    assert (160000, 220000) in spans and (180000, 280000) in spans and (200000, 230000) in spans
    # The currency is on the axis and in the range labels.
    assert "USD" in ax.get_xlabel()
    texts = [t.get_text() for t in ax.texts]
    assert r"\$200k–\$400k" in texts and r"\$160k–\$220k" in texts
    assert ax.get_title(loc="left").startswith("Senior ML engineer pay in United States")


def test_other_currencies_and_open_ended_figures(kb: KnowledgeBase) -> None:
    fig = chart.figure(kb, "principal", "uk")
    (ax,) = fig.axes
    assert len(_bars(fig)) == 1 and "GBP" in ax.get_xlabel()
    assert [t.get_text() for t in ax.texts] == ["£150k–£250k+"]
    assert _bars(fig)[0].get_hatch() == "//"  # open-ended: "and above"


def test_png_is_valid_and_phone_sized(kb: KnowledgeBase) -> None:
    data = chart.Charts(kb).png("senior", "us")
    width, height = _png_size(data)
    assert 600 <= width <= 1200 and 200 <= height <= 1000
    assert 10_000 < len(data) < 500_000
    assert data.endswith(b"IEND\xaeB`\x82")


def test_no_figures_no_chart(kb: KnowledgeBase) -> None:
    charts = chart.Charts(kb)
    assert not charts.available("staff", "canada") and not charts.available("senior", "germany")
    assert charts.available("senior", "canada")
    with pytest.raises(chart.NoFigures, match="no source has a figure"):
        charts.png("staff", "canada")


def test_cached_per_level_market_and_knowledge_version(kb: KnowledgeBase, kb_copy: Path) -> None:
    charts = chart.Charts(kb)
    first = charts.png("senior", "uk")
    assert charts.png("senior", "uk") is first and charts.drawn == 1
    charts.png("junior", "uk")
    assert charts.drawn == 2
    # Another version of the knowledge base (a figure changed) is another chart.
    path = kb_copy / "salaries.yaml"
    path.write_text(path.read_text().replace("min: 110000", "min: 115000", 1))
    other = chart.Charts(loader.load(kb_copy))
    assert other.version != charts.version
    assert other.png("senior", "uk") != first
