"""Personal plans: the checklist toward the next level, what a message ticks off, time at level,
and the plan as text or a Markdown document. Pure: the caller stores statuses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from bot.answering.answer import Answer, Block, Line
from bot.knowledge.model import KnowledgeBase, Plan, PlanItem, Transition
from bot.understanding.plan_items import LIKELY as LIKELY

# What a message says about plan items is read by understanding; callers know it as plans'.
from bot.understanding.plan_items import Ticks as Ticks
from bot.understanding.plan_items import named_items as named_items
from bot.understanding.plan_items import read_ticks as read_ticks

STATUSES = ("todo", "doing", "done", "skip")
STATUS_LABELS = {"todo": "to do", "doing": "in progress", "done": "done", "skip": "not relevant"}
MARKS = {"done": "✓", "doing": "…", "skip": "–", "todo": "○"}


@dataclass(frozen=True)
class Progress:
    """Counts over a plan's items (not-relevant ones left out of the total)."""

    done: int
    doing: int
    total: int


def plan_from(kb: KnowledgeBase, level: str | None) -> Plan | None:
    """The plan for the move up from `level` (aspiring: the way in)."""
    return kb.plans.get(level) if level else None


def plan_to(kb: KnowledgeBase, target: str) -> Plan | None:
    """The plan whose move ends at `target`."""
    return next((p for p in kb.plans.values() if p.to_level == target), None)


def progress(plan: Plan, statuses: Mapping[str, str]) -> Progress:
    """Done, in progress, and the total that counts."""
    relevant = [i for i in plan.items if statuses.get(i.id) != "skip"]
    return Progress(
        sum(statuses.get(i.id) == "done" for i in relevant),
        sum(statuses.get(i.id) == "doing" for i in relevant),
        len(relevant),
    )


def open_items(plan: Plan, statuses: Mapping[str, str]) -> list[PlanItem]:
    """Items still to do: those in progress first, then the rest in plan order."""
    doing = [i for i in plan.items if statuses.get(i.id) == "doing"]
    todo = [i for i in plan.items if statuses.get(i.id, "todo") == "todo"]
    return doing + todo


def year_at_level(since: date, now: datetime) -> int:
    """1 in the first twelve months at a level, 2 in the next, ..."""
    months = (now.year - since.year) * 12 + now.month - since.month
    return max(0, months) // 12 + 1


def time_at_level_line(
    step: Transition | None, since: date, now: datetime, level_name: str
) -> Line:
    """ "Typical senior → staff is 3–5 years; you are in year 3 (senior since March 2024)." """
    year = year_at_level(since, now)
    when = since.strftime("%B %Y")
    if step and step.typical:
        text = (
            f"Typical {step.from_level} → {step.to_level} is {step.typical.min:g}–"
            f"{step.typical.max:g} years"
        )
        if step.accelerated:
            text += f" ({step.accelerated.min:g}–{step.accelerated.max:g} for top performers)"
        text += f"; you are in year {year} ({level_name} since {when})."
        return Line(text, step.typical.sources)
    return Line(f"You are in year {year} as {level_name} (since {when}).")


def view(
    kb: KnowledgeBase,
    plan: Plan,
    statuses: Mapping[str, str],
    since: date | None = None,
    now: datetime | None = None,
    heading: str | None = None,
) -> Answer:
    """The plan as an answer: progress, what to do next, and every item with its status."""
    counts = progress(plan, statuses)
    lead = f"{counts.done} of {counts.total} done"
    lead += f", {counts.doing} in progress." if counts.doing else "."
    nxt = open_items(plan, statuses)
    blocks = []
    if nxt:
        first = nxt[0]
        # The item is the sources'; how to show it is our suggestion, building on them.
        show = Line(f"How to show it: {first.show}", first.sources, ours=True)
        blocks.append(Block("Next", (Line(first.name, first.sources), show)))
    else:
        done = "Everything is done or set aside: time to ask for the promotion."
        blocks.append(Block("Next", (Line(done),)))
    for kind, title in (("technical", "Technical"), ("soft", "Soft skills"),
                        ("visibility", "Visibility")):  # fmt: skip
        lines = tuple(
            Line(f"{MARKS[statuses.get(i.id, 'todo')]} {i.name}", i.sources)
            for i in plan.items
            if i.kind == kind
        )
        if lines:
            blocks.append(Block(title, lines))
    if since and now:
        step = kb.transitions.get((plan.from_level, plan.to_level))
        blocks.append(Block("Time", (time_at_level_line(step, since, now, plan.from_level),)))
    return Answer(
        heading or f"Your plan: {plan.from_level} → {plan.to_level}",
        lead,
        tuple(blocks),
        note="Mark items below, or tell me (“I already know Docker”).",
    )


def markdown(kb: KnowledgeBase, plan: Plan, statuses: Mapping[str, str], now: datetime) -> str:
    """The plan with its status as a Markdown document (for a promotion packet or a 1:1)."""
    counts = progress(plan, statuses)
    out = [
        f"# Plan: {plan.from_level} → {plan.to_level}",
        "",
        f"Exported {now.date().isoformat()}. Progress: {counts.done} of {counts.total} done, "
        f"{counts.doing} in progress.",
        "",
    ]
    boxes = {"done": "[x]", "doing": "[~]", "skip": "[-]", "todo": "[ ]"}
    for kind, title in (("technical", "Technical"), ("soft", "Soft skills"),
                        ("visibility", "Visibility")):  # fmt: skip
        items = [i for i in plan.items if i.kind == kind]
        if not items:
            continue
        out += [f"## {title}", ""]
        for item in items:
            status = statuses.get(item.id, "todo")
            sources = ", ".join(kb.sources[s].short for s in item.sources)
            out.append(f"- {boxes[status]} **{item.name}** ({STATUS_LABELS[status]}), per the "
                       f"{sources}  ")  # fmt: skip
            # How to show it is our suggestion, not the sources': said so, not cited as theirs.
            out.append(f"  How to show it: {item.show}. _Our suggestion, building on them._")
        out.append("")
    out += ["Legend: [x] done, [~] in progress, [ ] to do, [-] not relevant.", ""]
    cited = sorted({s for i in plan.items for s in i.sources})
    out += ["## Sources", ""] + [f"- {kb.sources[s].short}: “{kb.sources[s].title}”" for s in cited]
    return "\n".join(out) + "\n"
