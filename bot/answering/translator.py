"""The level translator's answers: what a big-tech level means here, and what a level here is
called at big tech, with the caveats that come with any such mapping."""

from __future__ import annotations

from bot.answering.answer import Answer, Block, Line
from bot.knowledge.model import KnowledgeBase, Rung
from bot.understanding.ladders import LadderMention


def _equivalents(
    kb: KnowledgeBase, level: str, first: str | None, note: str | None = None
) -> tuple[Line, ...]:
    """Each company's rungs at `level`. Asked about a rung with a `note` ("senior staff"), the
    rungs with that note lead: "Google L7 (senior staff)" is Meta E7, and E6 is its staff rung
    ("E6; E7 for senior staff" under L7 read as a contradiction)."""
    ladders = kb.ladders
    order = sorted(ladders.companies, key=lambda c: c != first)
    lines = []
    for company_id in order:
        rungs = [r for r in ladders.rungs if r.company == company_id and r.level == level]
        if not rungs:
            continue
        rungs.sort(key=lambda r: r.note != note)  # stable: the ladder's order otherwise

        def label(r: Rung) -> str:
            if r.note == note:
                return r.label
            return f"{r.label} for {r.note or kb.levels[level].id}"

        labels = "; ".join(label(r) for r in rungs)
        sources = tuple(dict.fromkeys(s for r in rungs for s in r.sources))
        lines.append(Line(f"{ladders.companies[company_id].name}: {labels}", sources))
    return tuple(lines)


def _caveats(
    kb: KnowledgeBase, companies: set[str], shown: set[str] | None = None, limit: int = 3
) -> tuple[Line, ...]:
    """The caveats of the companies asked about, then the general ones, up to `limit`; and, past
    the limit, every contested mapping (`differ`) of a company whose levels the answer shows."""
    caveats = kb.ladders.caveats
    chosen = [item for item, which in caveats if which and set(which) & companies]
    chosen += [item for item, which in caveats if not which]
    chosen = chosen[:limit]
    visible = companies | (shown or set())
    chosen += [
        item
        for item, which in caveats
        if item.differ and set(which) & visible and item not in chosen
    ]
    return tuple(Line(i.text, i.sources) for i in chosen)


def _companies(lines: tuple[Line, ...], kb: KnowledgeBase) -> set[str]:
    """The companies whose levels some line shows ("Microsoft: 63–64")."""
    names = {c.name: c.id for c in kb.ladders.companies.values()}
    return {cid for line in lines for name, cid in names.items() if line.text.startswith(name)}


def answer(kb: KnowledgeBase, mention: LadderMention | None, level: str | None) -> Answer:
    """What a company level means here, or what a level here is called at big tech."""
    if mention and mention.code and not mention.rungs:
        return _unknown(kb, mention)
    if mention and mention.rungs and mention.level is None:
        return _ambiguous(kb, mention)
    if mention and mention.rungs and mention.level:
        return _translated(kb, mention, mention.level)
    company = mention.company if mention else None
    if level:
        target = kb.levels[level]
        equivalents = _equivalents(kb, level, company)
        careful = _caveats(kb, {company} if company else set(), _companies(equivalents, kb))
        return Answer(
            f"{target.name} at big tech",
            "Approximate equivalents on the software-engineering ladders ML engineers join:",
            (Block(None, equivalents), Block("Careful", careful)),
        )
    return _table(kb)


def _unknown(kb: KnowledgeBase, mention: LadderMention) -> Answer:
    """A code the company's ladder does not have."""
    ladders = kb.ladders
    assert mention.company
    name = ladders.companies[mention.company].name
    known = ", ".join(c for r in ladders.rungs if r.company == mention.company for c in r.codes)
    return Answer(
        f"I don't know {name} {mention.code}.",
        f"The levels I can translate for {name}: {known}.",
        (Block("Careful", _caveats(kb, {mention.company})),),
    )


def _ambiguous(kb: KnowledgeBase, mention: LadderMention) -> Answer:
    """A code several companies use for different levels ("L5"), without the company."""
    ladders = kb.ladders
    lines = tuple(
        Line(
            f"{ladders.companies[r.company].name} {r.label} ≈ {kb.levels[r.level].noun}",
            r.sources,
        )
        for r in mention.rungs
    )
    careful = _caveats(kb, set(), {r.company for r in mention.rungs}, 0)
    return Answer(
        f"{mention.code} means different things at different companies.",
        "Tell me the company, like “L5 at Google”.",
        (Block(None, lines), Block("Careful", careful)) if careful else (Block(None, lines),),
    )


def _translated(kb: KnowledgeBase, mention: LadderMention, level: str) -> Answer:
    """One company level in this bot's terms, with the same level elsewhere."""
    rung = mention.rungs[0]
    target = kb.levels[level]
    name = kb.ladders.companies[rung.company].name
    years = ""
    if target.years_min is not None:
        top = target.years_max
        years = (
            f" ({target.years_min:g}+ years)"
            if top is None
            else (f" ({target.years_min:g}–{top:g} years)")
        )
    lead = f"{name} {rung.label} is roughly {target.a_noun} in my terms{years}."
    if rung.note:
        lead += f" It is the {rung.note} rung."
    if mention.own:
        lead += f" I've noted that you're {target.a_noun}."
    others = tuple(
        line
        for line in _equivalents(kb, target.id, None, rung.note)
        if not line.text.startswith(name + ":")
    )
    careful = _caveats(kb, {rung.company}, _companies(others, kb))
    return Answer(
        f"{name} {rung.codes[0]} ≈ {target.id} here",
        lead,
        (Block("Roughly the same elsewhere", others), Block("Careful", careful)),
    )


def _table(kb: KnowledgeBase) -> Answer:
    """Every level here with its codes at each company."""
    ladders = kb.ladders
    rows = []
    for lv in kb.levels.values():
        parts = []
        for company_id, company_obj in ladders.companies.items():
            codes = [r.codes for r in ladders.rungs if r.company == company_id and r.level == lv.id]
            if codes:
                flat = ", ".join("–".join(c) if len(c) == 2 else "/".join(c) for c in codes)
                parts.append(f"{company_obj.name} {flat}")
        if parts:
            sources = tuple(dict.fromkeys(s for r in ladders.rungs if r.level == lv.id
                                          for s in r.sources))  # fmt: skip
            rows.append(Line(f"{lv.name}: " + " · ".join(parts), sources))
    return Answer(
        "Big-tech levels, roughly",
        "Say “L5 at Google” or “what is E6 at Meta” for one level.",
        (
            Block(None, tuple(rows)),
            Block("Careful", _caveats(kb, set(), set(ladders.companies), 2)),
        ),
    )
