"""Answers about moving between levels: how long a step takes, what it takes, and the years of
experience the sources give each level."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.answering.answer import Answer, Block, Line
from bot.domain import Profile, Query
from bot.knowledge.model import Item, Level, Transition, YearsClaim
from bot.knowledge.readings import years_note

if TYPE_CHECKING:
    from bot.answering.answers import Answers


MAX_LINES = 5


def lines(items: Iterable[Item], limit: int = MAX_LINES) -> tuple[Line, ...]:
    """Knowledge items as bullets, at most `limit` facts; an item saying where the sources differ
    is always shown with the facts it concerns (after them), whatever the limit."""
    items = list(items)
    differ = [i for i in items if i.differ]
    facts = [i for i in items if not i.differ][: max(1, limit - len(differ))]
    return tuple(Line(i.text, i.sources, i.ours, i.absent) for i in facts + differ)


def years_range(lo: float, hi: float) -> str:
    """2–3 years, 1.5–2 years."""
    return f"{lo:g}–{hi:g} years" if lo != hi else f"{lo:g} years"


class MoveAnswers:
    """The timeline, promotion and experience builders, for one knowledge base."""

    def __init__(self, answers: Answers) -> None:
        self.answers = answers
        self.kb = answers.kb

    def path(self, src: str, dst: str) -> list[Transition]:
        """The transitions from `src` up to `dst`, one level at a time."""
        steps: list[Transition] = []
        current = src
        while current != dst:
            nxt = self.kb.next_level(current)
            step = self.kb.transitions.get((current, nxt)) if nxt else None
            if step is None or nxt is None:
                return []
            steps.append(step)
            current = nxt
        return steps

    def timeline(self, q: Query, profile: Profile) -> Answer:
        """Typical and accelerated years for a move, step by step, with disagreements."""
        if q.level is None or q.from_level is None:
            return self._timeline_overview(profile)
        steps = self.path(q.from_level, q.level)
        blocks: list[Block] = []
        note = None
        if steps and all(s.typical for s in steps):
            blocks.append(Block("Timeline", self._timeline_rows(steps)))
        else:
            missing = [s for s in steps if not s.typical] or steps
            names = ", ".join(f"{s.from_level} → {s.to_level}" for s in missing)
            names = names or f"{q.from_level} → {q.level}"
            note = f"The sources give no typical timeline for {names}."
        # "How many years to be senior?" asks for total experience as often as for the step:
        # the sources' years for the level (5–8 for senior) come right after the step's.
        total = self._experience_line(q.level)
        if total:
            blocks.append(Block("Years of experience in total", (total,)))
        step_notes = [n for s in steps for n in s.notes]
        if step_notes:
            blocks.append(Block("Where the sources differ", lines(step_notes, 3)))
        if steps:
            blocks.append(Block("What speeds it up", lines(steps[-1].how_to_advance, 3)))
        return Answer(
            f"From {q.from_level} to {q.level}: how long it takes",
            self.answers.lead(profile, q),
            tuple(blocks),
            self.answers.suggest(
                Query("promotion", q.level, q.from_level),
                Query("skills", q.level),
                Query("salary", q.level, None, q.market),
            ),
            note,
        )

    def _timeline_rows(self, steps: list[Transition]) -> tuple[Line, ...]:
        """One line per step, and the total over several ("3–5 years when everything goes
        right")."""
        rows = [self._step_line(step) for step in steps]
        if len(steps) > 1:
            typical = [s.typical for s in steps if s.typical]
            span = years_range(sum(t.min for t in typical), sum(t.max for t in typical))
            total = f"In total: about {span}"
            fast = [s.accelerated for s in steps]
            if all(fast):
                quick = years_range(sum(f.min for f in fast if f), sum(f.max for f in fast if f))
                total += f" ({quick} when everything goes right)"
            rows.append(Line(total + ".", ()))
        return tuple(rows)

    def _step_line(self, step: Transition) -> Line:
        """ "Mid → senior: typically 3–4 years, top performers 2–3 years"."""
        assert step.typical
        text = f"{step.from_level.capitalize()} → {step.to_level}: typically "
        text += years_range(step.typical.min, step.typical.max)
        if step.accelerated:
            text += ", top performers " + years_range(step.accelerated.min, step.accelerated.max)
        sources = step.typical.sources + (step.accelerated.sources if step.accelerated else ())
        return Line(text, tuple(dict.fromkeys(sources)))

    def _timeline_overview(self, profile: Profile) -> Answer:
        rows = [self._step_line(step) for step in self.kb.transitions.values() if step.typical]
        return Answer(
            "How long each step takes",
            "Tell me your level for the step that is yours.",
            (Block("Timeline", tuple(rows)),),
            self.answers.suggest(
                Query("timeline", "senior", "mid"),
                Query("timeline", "staff", "senior"),
                Query("accelerate"),
            ),
        )

    def experience(self, q: Query, profile: Profile) -> Answer:
        """Years of experience the sources give for a level ("how many years to be senior?"),
        which is not the time a move takes (see `timeline`)."""
        if q.level is None:
            ladder = [self._experience_line(lv) for lv in self.kb.levels]
            return Answer(
                "Years of experience per level",
                "Ranges from the sources; a number of years at the edge of two is placed where "
                "most of them put it.",
                (Block(None, tuple(row for row in ladder if row)),),
                self.answers.suggest(Query("timeline"), Query("level_overview"), Query("salary")),
            )
        level = self.kb.levels[q.level]
        claims = [c for c in self.kb.experience if c.level == q.level]
        prev = self.kb.previous_level(q.level)
        blocks = self._claims(level, claims) if claims else self._no_claims(level, prev)
        return Answer(
            f"Years of experience for {level.a_noun}",
            self.answers.lead(profile, q),
            tuple(blocks),
            self.answers.suggest(
                Query("timeline", q.level, prev) if prev and prev != "aspiring" else None,
                Query("level_overview", q.level),
                Query("salary", q.level, None, q.market),
            ),
        )

    def _claims(self, level: Level, claims: list[YearsClaim]) -> list[Block]:
        """Each source's years for a level, and where they differ at its edges."""
        rows = [Line(claim.label, claim.sources) for claim in claims]
        agreeing = tuple(dict.fromkeys(s for c in claims for s in c.sources))
        if len(claims) == 1 and len(agreeing) > 1:
            count = _count(len(agreeing)).capitalize()
            rows = [Line(f"{count} sources agree: {claims[0].label}.", agreeing)]
        blocks = [Block("What each source says", tuple(rows))]
        edges = [y for y in (level.years_min, level.years_max) if y is not None]
        notes = [years_note(self.kb, self.kb.years_reading(y)) for y in edges]
        if any(notes):
            blocks.append(Block("At the edges", lines(n for n in notes if n)))
        return blocks

    def _no_claims(self, level: Level, prev: str | None) -> list[Block]:
        """No source gives years for the level: say so, with the level below for comparison."""
        lower = prev and self._experience_line(prev)
        absent = f"None of the sources gives years of experience for {level.a_noun}."
        blocks = [Block(None, (Line(absent),))]
        if lower:
            blocks.append(Block("The level below, for comparison", (lower,)))
        blocks.append(Block(None, lines(n for n in level.notes if n.differ)))
        return blocks

    def _experience_line(self, level_id: str) -> Line | None:
        """ "Senior ML engineer: 5–8 years" with each source's range where they differ."""
        claims = [c for c in self.kb.experience if c.level == level_id]
        if not claims:
            return None
        ranges = "; ".join(
            f"{c.label} ({', '.join(self.kb.sources[s].short for s in c.sources)})"
            if len(claims) > 1
            else c.label
            for c in claims
        )
        sources = tuple(dict.fromkeys(s for c in claims for s in c.sources))
        return Line(f"{self.kb.levels[level_id].name}: {ranges}", sources)

    def promotion(self, q: Query, profile: Profile) -> Answer:
        """What to focus on and build for the move into the target level."""
        if q.level is None or q.from_level is None:
            return Answer(
                "Getting promoted",
                "Tell me your level (for example “I'm mid-level”) for the step that is yours.",
                self.answers.sections(self.answers.topic_of(q.intent).sections, None, 1),
                self.answers.suggest(
                    Query("promotion", "mid", "junior"),
                    Query("promotion", "senior", "mid"),
                    Query("promotion", "staff", "senior"),
                ),
            )
        steps = self.path(q.from_level, q.level)
        step = steps[-1] if steps else None
        note = None
        if step is None:
            return Answer(
                f"From {q.from_level} to {q.level}", note="The knowledge base has no such step."
            )
        if len(steps) > 1:
            first = steps[0]
            note = (
                f"That is {len(steps)} steps. The first is {first.from_level} → {first.to_level}: "
                f"ask “How to go from {first.from_level} to {first.to_level}”."
            )
        blocks = (
            Block("Focus on", lines(step.focus, 4)),
            Block("Skills to add", lines(step.skills_to_add, 4)),
            Block("Soft skills to build", lines(step.soft_skills, 3)),
            Block("How to show you are ready", lines(step.how_to_advance, 3)),
        )
        return Answer(
            f"From {step.from_level} to {step.to_level}",
            self.answers.lead(profile, q),
            blocks,
            self.answers.suggest(
                Query("timeline", step.to_level, step.from_level),
                Query("interviews", step.to_level),
                Query("salary", step.to_level, None, q.market),
            ),
            note,
        )

    # -- levels ---------------------------------------------------------------------------


def _count(n: int) -> str:
    """ "three" for 3 (small counts read better as words)."""
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return words[n] if n < len(words) else str(n)
