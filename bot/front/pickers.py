"""The choices a front end offers for a setting: the level, the market, nudges."""

from __future__ import annotations

from bot.front.shown import Option, Row, pairs
from bot.knowledge.model import KnowledgeBase

# What a nudge option's argument asks the advisor for ("no" declines the first offer).
NUDGE_WORDS = {"weekly": "weekly", "daily": "daily", "off": "off", "no": "off"}


def level_rows(kb: KnowledgeBase) -> tuple[Row, ...]:
    """Level picker: every level up to the first open-ended one ("Staff+ · 8+ y")."""
    options = []
    for level in kb.levels.values():
        short = level.name.split()[0].rstrip("-").replace("-level", "")
        if level.years_min is None:
            label = short
        elif level.years_max is None:
            label = f"{short}+ · {level.years_min:g}+ y"
        else:
            label = f"{short} · {level.years_min:g}–{level.years_max:g} y"
        options.append(Option(label, f"/level {level.id}", "lvl", (level.id,)))
        if level.years_min is not None and level.years_max is None:
            break
    return tuple(pairs(options))


def market_rows(kb: KnowledgeBase) -> tuple[Row, ...]:
    """Market picker with a way to skip."""
    options = [Option(m.name, f"/market {m.id}", "mkt", (m.id,)) for m in kb.covered_markets]
    rows = pairs(options)
    rows.append(Row((Option("Skip", "/market skip", "mkt", ("skip",)),)))
    return tuple(rows)


def nudge_rows(offer: bool) -> tuple[Row, ...]:
    """Weekly / daily / off (or "No thanks" when offering them the first time)."""
    # A first offer shows the defaults; later the user's own day and time are kept.
    weekly, daily = ("Weekly (Mon 09:00)", "Daily (09:00)") if offer else ("Weekly", "Daily")
    last, word = ("No thanks", "no") if offer else ("Off", "off")
    return (
        Row((Option(weekly, "/nudges weekly", "nud", ("weekly",)),
             Option(daily, "/nudges daily", "nud", ("daily",)))),
        Row((Option(last, "/nudges off", "nud", (word,)),)),
    )  # fmt: skip
