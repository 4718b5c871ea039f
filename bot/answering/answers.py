"""Building answers from the knowledge base for each intent (career facts come only from the KB)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from bot.answering import pay
from bot.answering.answer import Answer, Block, Line, Suggestion
from bot.answering.salary import SalaryAnswers
from bot.coaching import plans
from bot.domain import Profile, Query
from bot.knowledge.model import Item, KnowledgeBase, Section, Transition
from bot.knowledge.readings import years_note

MAX_LINES = 5
# The topic each topical intent reads; level-specific sections are picked by the query's level.
TOPIC_OF = {
    "ic_vs_management": "ic_vs_management",
    "switch_company": "switch_company",
    "resume": "resume",
    "certifications": "certifications",
    "getting_started": "getting_started",
    "role": "role",
    "specialization": "specialization",
    "pitfalls": "pitfalls",
    "accelerate": "accelerate",
    "pros_cons": "pros_cons",
}


def years_range(lo: float, hi: float) -> str:
    """2–3 years, 1.5–2 years."""
    return f"{lo:g}–{hi:g} years" if lo != hi else f"{lo:g} years"


def lines(items: Iterable[Item], limit: int = MAX_LINES) -> tuple[Line, ...]:
    """Knowledge items as bullets, at most `limit` facts; an item saying where the sources differ
    is always shown with the facts it concerns (after them), whatever the limit."""
    items = list(items)
    differ = [i for i in items if i.differ]
    facts = [i for i in items if not i.differ][: max(1, limit - len(differ))]
    return tuple(Line(i.text, i.sources, i.ours) for i in facts + differ)


class Answers:
    """Turns resolved queries into answers for one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.pay = SalaryAnswers(self)
        self._builders: dict[str, Callable[[Query, Profile], Answer]] = {
            "skills": self.skills,
            "salary": self.salary,
            "timeline": self.timeline,
            "promotion": self.promotion,
            "level_overview": self.level_overview,
            "compare_levels": self.compare_levels,
            "next_steps": self.next_steps,
            "stuck": self.stuck,
            "interviews": self.interviews,
            "soft_skills": self.soft_skills,
            # Not an intent (yet): the understanding picks it for "how many years to be senior?".
            "experience": self.experience,
        }

    def build(self, query: Query, profile: Profile, now: datetime | None = None) -> Answer:
        """The answer to a resolved knowledge query (`now`: to relate time at level)."""
        builder = self._builders.get(query.intent)
        answer = builder(query, profile) if builder else self.topic(query, profile)
        since, level = profile.level_since, profile.level
        if query.intent == "timeline" and since and now and level and level == query.from_level:
            step = self.kb.transitions.get((level, self.kb.next_level(level) or ""))
            you = Block("You", (plans.time_at_level_line(step, since, now, level),))
            answer = replace(answer, blocks=(you, *answer.blocks))
        return answer

    # -- naming helpers -------------------------------------------------------------------
    def name(self, level: str | None) -> str:
        """Display name of a level."""
        return self.kb.levels[level].name if level else "ML engineer"

    def short(self, level: str) -> str:
        """The level's id as a word in a sentence ("senior")."""
        return level

    def market_name(self, market: str | None) -> str:
        """Display name of a market."""
        return self.kb.markets[market].name if market in self.kb.markets else "the US"

    def covered_market(self, market: str | None) -> bool:
        """True when some source has pay figures for the market."""
        known = self.kb.markets.get(market or "")
        return known is not None and known.covered

    def lead(self, profile: Profile, query: Query) -> str | None:
        """A personal line when the answer is about the user's own situation."""
        if not profile.level or profile.level != (query.from_level or query.level):
            return None
        where = f" in {self.market_name(profile.market)}" if profile.market else ""
        return f"For you as {self.kb.levels[profile.level].a_noun}{where}:"

    # -- suggestions ----------------------------------------------------------------------
    def suggest(self, *queries: Query | None) -> tuple[Suggestion, ...]:
        """Follow-up suggestions with typeable labels (duplicates and Nones dropped)."""
        out: list[Suggestion] = []
        for q in queries:
            if q is None:
                continue
            label = self.label(q)
            if label and all(s.label != label for s in out):
                out.append(Suggestion(label, q))
        return tuple(out[:3])

    def label(self, q: Query) -> str | None:
        """A short question that the matcher maps back to `q`."""
        lv = q.level
        where = f" in {self.market_name(q.market)}" if q.market else ""
        if q.intent == "salary":
            return f"Salary for {lv}{where}" if lv else f"ML engineer salaries{where}"
        if q.intent == "skills":
            return f"Skills for {lv}" if lv else "Skills by layer"
        if q.intent == "timeline":
            return (
                f"How long from {q.from_level} to {lv}"
                if lv and q.from_level
                else "How long each step takes"
            )
        if q.intent == "promotion":
            return (
                f"How to go from {q.from_level} to {lv}"
                if lv and q.from_level
                else "How to get promoted"
            )
        if q.intent == "level_overview" and lv:
            return f"What does a {lv} do"
        if q.intent == "compare_levels" and lv and q.from_level:
            return f"{q.from_level.capitalize()} vs {lv}"
        if q.intent == "soft_skills":
            return f"Soft skills for {lv}" if lv else "Soft skills"
        if q.intent == "interviews":
            return f"Interviews for {lv}" if lv else "Interviews"
        if q.intent == "stuck":
            return f"Stuck at {lv}" if lv else "I feel stuck"
        simple = {
            "next_steps": "What should I do next",
            "accelerate": "How to grow faster",
            "ic_vs_management": "IC or management",
            "switch_company": "Should I switch companies",
            "getting_started": "How to get started",
            "certifications": "Certifications",
            "resume": "Resume tips",
            "specialization": "Which specialization",
            "pitfalls": "Common pitfalls",
            "role": "What is an ML engineer",
            "pros_cons": "Pros and cons",
        }
        return simple.get(q.intent)

    def around(self, q: Query) -> tuple[Suggestion, ...]:
        """Natural next questions after an answer about a level."""
        lv = q.level
        if lv is None:
            return self.suggest(Query("salary"), Query("skills"), Query("next_steps"))
        nxt = self.kb.next_level(lv)
        return self.suggest(
            Query("salary", lv, None, q.market) if q.intent != "salary" else None,
            Query("skills", lv) if q.intent != "skills" else None,
            Query("timeline", nxt, lv) if nxt else Query("level_overview", lv),
            Query("promotion", nxt, lv) if nxt else None,
        )

    # -- skills ---------------------------------------------------------------------------
    def skills(self, q: Query, profile: Profile) -> Answer:
        """Technical skills for a level, or the four-layer architecture without one."""
        if q.level is None:
            topic = self.kb.topics["skills_architecture"]
            return Answer(
                topic.title,
                "Tell me your level for a list that fits you.",
                self.sections(topic.sections, None),
                self.suggest(
                    Query("skills", "junior"), Query("skills", "senior"), Query("soft_skills")
                ),
            )
        level = self.kb.levels[q.level]
        blocks = [Block("Technical skills", lines(level.technical_skills, 8))]
        nxt = self.kb.next_level(q.level)
        step = self.kb.transitions.get((q.level, nxt)) if nxt else None
        if step:
            blocks.append(Block(f"To add on the way to {nxt}", lines(step.skills_to_add, 4)))
        return Answer(
            f"Skills for {level.a_noun}",
            self.lead(profile, q),
            tuple(blocks),
            self.suggest(
                Query("soft_skills", q.level),
                Query("salary", q.level, None, q.market),
                Query("promotion", nxt, q.level) if nxt else None,
            ),
        )

    # -- salary ---------------------------------------------------------------------------
    def salary(self, q: Query, profile: Profile) -> Answer:
        """Pay for a level and market (bot.answering.salary builds it)."""
        return self.pay.salary(q, profile)

    def title_readings(self, title_id: str, q: Query, profile: Profile) -> Answer:
        """What the sources mean by a title whose level depends on the company ("tech lead"):
        each source's reading and how they differ; for a pay question (`q.intent` "salary"),
        the pay at each of those levels in the market asked about."""
        title = self.kb.titles[title_id]
        rows = tuple(
            Line(f"{self.kb.levels[r.level].name}: {r.item.text}", r.item.sources)
            for r in title.readings
        )
        blocks = [Block("How the sources use it", rows), Block(None, lines((title.differ,)))]
        levels = list(dict.fromkeys(r.level for r in title.readings))
        market = q.market or "us"
        if q.intent == "salary" and self.covered_market(market):
            ranges = tuple(
                row for row in (pay.range_line(self.kb, lv, market) for lv in levels) if row
            )
            if ranges:
                blocks.append(Block(f"Pay at those levels in {self.market_name(market)}", ranges))
        elif q.intent == "salary":
            blocks.append(
                Block(None, (Line(f"None of the sources has pay figures for "
                                  f"{self.market_name(market)}."),))
            )  # fmt: skip
        follow = "salary" if q.intent == "salary" else "level_overview"
        return Answer(
            f"“{title.name}”: the level depends on the company",
            "The sources use the title for different levels. Tell me your years of experience "
            "or how many people you lead, and I'll place it.",
            tuple(blocks),
            self.suggest(*(Query(follow, lv, None, q.market) for lv in levels)),
        )

    # -- transitions ----------------------------------------------------------------------
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
        title = f"From {q.from_level} to {q.level}: how long it takes"
        blocks: list[Block] = []
        note = None
        typical = [s.typical for s in steps]
        fast = [s.accelerated for s in steps]
        if steps and all(typical):
            rows = [self._step_line(step) for step in steps]
            if len(steps) > 1:
                lo = sum(t.min for t in typical if t)
                hi = sum(t.max for t in typical if t)
                total = f"In total: about {years_range(lo, hi)}"
                if all(fast):
                    quick = years_range(
                        sum(f.min for f in fast if f), sum(f.max for f in fast if f)
                    )
                    total += f" ({quick} when everything goes right)"
                rows.append(Line(total + ".", ()))
            blocks.append(Block("Timeline", tuple(rows)))
        else:
            missing = [s for s in steps if not s.typical] or steps
            names = ", ".join(f"{s.from_level} → {s.to_level}" for s in missing)
            names = names or f"{q.from_level} → {q.level}"
            note = f"The sources give no typical timeline for {names}."
        step_notes = [n for s in steps for n in s.notes]
        if step_notes:
            blocks.append(Block("Where the sources differ", lines(step_notes, 3)))
        last = steps[-1] if steps else None
        if last:
            blocks.append(Block("What speeds it up", lines(last.how_to_advance, 3)))
        return Answer(
            title,
            self.lead(profile, q),
            tuple(blocks),
            self.suggest(
                Query("promotion", q.level, q.from_level),
                Query("skills", q.level),
                Query("salary", q.level, None, q.market),
            ),
            note,
        )

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
            self.suggest(
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
                self.suggest(Query("timeline"), Query("level_overview"), Query("salary")),
            )
        level = self.kb.levels[q.level]
        claims = [c for c in self.kb.experience if c.level == q.level]
        blocks: list[Block] = []
        prev = self.kb.previous_level(q.level)
        if claims:
            rows = [Line(claim.label, claim.sources) for claim in claims]
            agreeing = tuple(dict.fromkeys(s for c in claims for s in c.sources))
            if len(claims) == 1 and len(agreeing) > 1:
                count = _count(len(agreeing)).capitalize()
                rows = [Line(f"{count} sources agree: {claims[0].label}.", agreeing)]
            blocks.append(Block("What each source says", tuple(rows)))
            edges = [y for y in (level.years_min, level.years_max) if y is not None]
            notes = [years_note(self.kb, self.kb.years_reading(y)) for y in edges]
            if any(notes):
                blocks.append(Block("At the edges", lines(n for n in notes if n)))
        else:
            lower = prev and self._experience_line(prev)
            absent = f"None of the sources gives years of experience for {level.a_noun}."
            blocks.append(Block(None, (Line(absent),)))
            if lower:
                blocks.append(Block("The level below, for comparison", (lower,)))
            blocks.append(Block(None, lines(n for n in level.notes if n.differ)))
        return Answer(
            f"Years of experience for {level.a_noun}",
            self.lead(profile, q),
            tuple(blocks),
            self.suggest(
                Query("timeline", q.level, prev) if prev and prev != "aspiring" else None,
                Query("level_overview", q.level),
                Query("salary", q.level, None, q.market),
            ),
        )

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
                self.sections(self.kb.topics["accelerate"].sections, None, 1),
                self.suggest(
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
            self.lead(profile, q),
            blocks,
            self.suggest(
                Query("timeline", step.to_level, step.from_level),
                Query("interviews", step.to_level),
                Query("salary", step.to_level, None, q.market),
            ),
            note,
        )

    # -- levels ---------------------------------------------------------------------------
    def level_overview(self, q: Query, profile: Profile) -> Answer:
        """What a level is, what it does and focuses on; the ladder without a level."""
        if q.level is None:
            rows = []
            for level in self.kb.levels.values():
                years = ""
                if level.years_min is not None:
                    hi = level.years_max
                    years = (
                        f" ({level.years_min:g}+ years)"
                        if hi is None
                        else f" ({years_range(level.years_min, hi)})"
                    )
                rows.append(
                    Line(f"{level.name}{years}: {level.summary.text}", level.summary.sources)
                )
            return Answer(
                "The ML engineering ladder",
                None,
                (Block(None, tuple(rows)),),
                self.suggest(
                    Query("compare_levels", "staff", "senior"), Query("timeline"), Query("salary")
                ),
            )
        level = self.kb.levels[q.level]
        blocks = [
            Block(None, (Line(level.summary.text, level.summary.sources),)),
            Block("Responsibilities", lines(level.responsibilities, 5)),
            Block("Focus", lines(level.focus, 3)),
            Block("What you learn there", lines(level.learning, 3)),
        ]
        agreed = [n for n in level.notes if not n.differ]
        differ = [n for n in level.notes if n.differ]
        if agreed:
            blocks.append(Block("Notes", lines(agreed, 2)))
        if differ:
            blocks.append(Block("Where the sources differ", lines(differ)))
        return Answer(f"The {level.noun}", self.lead(profile, q), tuple(blocks), self.around(q))

    def compare_levels(self, q: Query, profile: Profile) -> Answer:
        """Two levels side by side and what changes between them."""
        if q.level is None or q.from_level is None:
            return self.level_overview(Query("level_overview"), profile)
        low, high = self.kb.levels[q.from_level], self.kb.levels[q.level]
        blocks = [
            Block(
                low.name,
                (Line(low.summary.text, low.summary.sources), *lines(low.responsibilities, 2)),
            ),
            Block(
                high.name,
                (Line(high.summary.text, high.summary.sources), *lines(high.responsibilities, 2)),
            ),
        ]
        steps = self.path(q.from_level, q.level)
        if len(steps) == 1:
            blocks.append(Block("What changes", lines(steps[0].focus, 3)))
        return Answer(
            f"{low.name} vs {high.noun}",
            self.lead(profile, q),
            tuple(blocks),
            self.suggest(
                Query("promotion", q.level, q.from_level),
                Query("timeline", q.level, q.from_level),
                Query("salary", q.level, None, q.market),
            ),
        )

    # -- personal -------------------------------------------------------------------------
    def next_steps(self, q: Query, profile: Profile) -> Answer:
        """Concrete next steps for the user's level and the focus of their next move."""
        assert q.level
        level = self.kb.levels[q.level]
        topic = self.kb.topics["next_steps"]
        blocks = list(self.sections(topic.sections, q.level, 1))
        nxt = self.kb.next_level(q.level)
        step = self.kb.transitions.get((q.level, nxt)) if nxt else None
        if step:
            blocks.append(Block(f"Focus for the move to {nxt}", lines(step.focus, 3)))
        return Answer(
            f"Next steps for {level.a_noun}",
            self.lead(profile, q),
            tuple(blocks),
            self.suggest(
                Query("promotion", nxt, q.level) if nxt else None,
                Query("accelerate"),
                Query("stuck", q.level),
            ),
        )

    def stuck(self, q: Query, profile: Profile) -> Answer:
        """Symptoms and remedies for the user's level, plus general moves."""
        assert q.level
        topic = self.kb.topics["stuck"]
        blocks = self.sections(topic.sections, q.level, 3)
        nxt = self.kb.next_level(q.level)
        return Answer(
            f"Feeling stuck as {self.kb.levels[q.level].a_noun}",
            self.lead(profile, q),
            blocks,
            self.suggest(
                Query("promotion", nxt, q.level) if nxt else None,
                Query("switch_company"),
                Query("accelerate"),
            ),
        )

    def interviews(self, q: Query, profile: Profile) -> Answer:
        """How interviews work, and what the user's level is assessed on."""
        topic = self.kb.topics["interviews"]
        blocks = list(self.sections(topic.sections, q.level))
        prev = self.kb.previous_level(q.level) if q.level else None
        step = self.kb.transitions.get((prev, q.level)) if prev and q.level else None
        if step:
            blocks.append(Block(f"What {q.level} interviews look for", lines(step.interviews, 4)))
        return Answer(
            topic.title + (f" for {q.level}" if q.level else ""),
            self.lead(profile, q),
            tuple(blocks),
            self.suggest(
                Query("resume"),
                Query("skills", q.level) if q.level else Query("skills"),
                Query("salary", q.level, None, q.market) if q.level else None,
            ),
        )

    def soft_skills(self, q: Query, profile: Profile) -> Answer:
        """Soft skills for a level and for its next move; the overall picture without a level."""
        if q.level is None:
            return self.topic(q, profile)
        level = self.kb.levels[q.level]
        blocks = [Block("At this level", lines(level.soft_skills, 5))]
        nxt = self.kb.next_level(q.level)
        step = self.kb.transitions.get((q.level, nxt)) if nxt else None
        if step:
            blocks.append(Block(f"To build for {nxt}", lines(step.soft_skills, 4)))
        return Answer(
            f"Soft skills for {level.a_noun}",
            self.lead(profile, q),
            tuple(blocks),
            self.suggest(Query("skills", q.level), Query("accelerate"), Query("ic_vs_management")),
        )

    # -- topics ---------------------------------------------------------------------------
    def sections(
        self,
        sections: Sequence[Section],
        level: str | None,
        per_section: int = MAX_LINES,
        background: str | None = None,
    ) -> tuple[Block, ...]:
        """Blocks for a topic: general sections plus the one nearest the level, if any; for
        someone coming from another field, the part for that field first and not the others."""
        if background and any(background in s.backgrounds for s in sections):
            mine = [s for s in sections if background in s.backgrounds]
            rest = [s for s in sections if not s.backgrounds]
            sections = [*mine, *rest]
        general = [s for s in sections if s.level is None]
        leveled = [s for s in sections if s.level is not None]
        chosen: list[Section] = []
        if level and leveled:
            rank = self.kb.levels[level].rank
            nearest = min(abs(self.kb.levels[s.level].rank - rank) for s in leveled if s.level)
            chosen = [
                s
                for s in leveled
                if s.level and abs(self.kb.levels[s.level].rank - rank) == nearest
            ][:1]
        elif not level:
            chosen = leveled
        picked = [s for s in sections if s in chosen or s in general]
        limit = per_section if len(picked) > 1 else max(per_section, 6)
        return tuple(Block(s.title, lines(s.items, limit)) for s in picked)

    def topic(self, q: Query, profile: Profile) -> Answer:
        """A topical answer (IC vs management, resume, ...)."""
        topic = self.kb.topics[TOPIC_OF.get(q.intent, q.intent)]
        per_section = 3 if len(topic.sections) > 3 else 4
        return Answer(
            topic.title,
            self.lead(profile, q),
            self.sections(topic.sections, q.level, per_section, profile.background),
            self.around(Query(q.intent, q.level, None, q.market))
            if q.level
            else self.suggest(Query("next_steps"), Query("accelerate"), Query("salary")),
        )


def _count(n: int) -> str:
    """ "three" for 3 (small counts read better as words)."""
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return words[n] if n < len(words) else str(n)
