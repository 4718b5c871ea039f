"""What a title whose level depends on the company ("tech lead", "head of AI") means: each
source's reading, where they differ, and the pay at those levels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answering import pay
from bot.answering.answer import Answer, Block, Line
from bot.answering.moves import lines
from bot.domain import Query

if TYPE_CHECKING:
    from bot.answering.answers import Answers


def readings(answers: Answers, title_id: str, q: Query) -> Answer:
    """What the sources mean by a title whose level depends on the company ("tech lead"):
    each source's reading and how they differ; for a pay question (`q.intent` "salary"),
    the pay at each of those levels in the market asked about."""
    title = answers.kb.titles[title_id]
    rows = tuple(
        Line(f"{answers.kb.levels[r.level].name}: {r.item.text}", r.item.sources)
        for r in title.readings
    )
    blocks = [Block("How the sources use it", rows), Block(None, lines((title.differ,)))]
    levels = list(dict.fromkeys(r.level for r in title.readings))
    market = q.market or "us"
    if q.intent == "salary" and answers.covered_market(market):
        ranges = tuple(
            row for row in (pay.range_line(answers.kb, lv, market) for lv in levels) if row
        )
        if ranges:
            blocks.append(Block(f"Pay at those levels in {answers.market_name(market)}", ranges))
    elif q.intent == "salary":
        blocks.append(
            Block(None, (Line(f"None of the sources has pay figures for "
                              f"{answers.market_name(market)}."),))
        )  # fmt: skip
    follow = "salary" if q.intent == "salary" else "level_overview"
    return Answer(
        f"“{title.name}”: the level depends on the company",
        "The sources use the title for different levels. Tell me your years of experience "
        "or how many people you lead, and I'll place it.",
        tuple(blocks),
        answers.suggest(*(Query(follow, lv, None, q.market) for lv in levels)),
    )
