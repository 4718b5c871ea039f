"""Building answers from the knowledge base for each intent (career facts come only from the KB)."""

from __future__ import annotations

import string
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache

from bot.answering import shaping, titles
from bot.answering.answer import Answer, Block, Line, Suggestion
from bot.answering.moves import MAX_LINES, MoveAnswers, lines, years_range
from bot.answering.salary import SalaryAnswers
from bot.coaching import plans
from bot.domain import Profile, Query
from bot.knowledge.model import KnowledgeBase, Section, Topic, Transition


class Answers:
    """Turns resolved queries into answers for one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        # Words that say how a question is asked, not what about: they choose no section.
        self.asking_words = kb.lexicon.function_words | frozenset(kb.stopwords)
        self.pay = SalaryAnswers(self)
        self.moves = MoveAnswers(self)
        # The builders intents.yaml may name (bot.knowledge.registry.BUILDERS), by name.
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
        }

    def build(
        self, query: Query, profile: Profile, now: datetime | None = None,
        words: Collection[str] = (),
    ) -> Answer:  # fmt: skip
        """The answer to a resolved knowledge query (`now`: to relate time at level; `words`:
        the question's canonical words, which choose a topic's sections)."""
        spec = self.kb.intents.get(query.intent)
        if spec is None:
            # Not an intent (yet): "how many years to be senior?" is answered by `experience`.
            answer = self.experience(query, profile)
        elif spec.answer.kind == "builder":
            answer = self._builders[spec.answer.name](query, profile)
        else:
            answer = self.topic(query, profile, words)
        if spec and spec.answer.name == "timeline" and now:
            answer = self._with_time_at_level(answer, query, profile, now)
        return answer

    def _with_time_at_level(
        self, answer: Answer, query: Query, profile: Profile, now: datetime
    ) -> Answer:
        """A timeline from the user's own level opens with their time at that level."""
        since, level = profile.level_since, profile.level
        if not (since and level and level == query.from_level):
            return answer
        step = self.kb.transitions.get((level, self.kb.next_level(level) or ""))
        you = Block("You", (plans.time_at_level_line(step, since, now, level),))
        return replace(answer, blocks=(you, *answer.blocks))

    def topic_of(self, intent: str) -> Topic:
        """The topic an intent's answer reads (intents.yaml `answer: {..., topic}`)."""
        topic = self.kb.intents[intent].answer.topic
        assert topic is not None, f"{intent} reads no topic"
        return self.kb.topics[topic]

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
        """A short question that the matcher maps back to `q`: the first of the intent's labels
        whose slots the query has ("Salary for senior in United Kingdom")."""
        spec = self.kb.intents.get(q.intent)
        market = self.market_name(q.market) if q.market else None
        values = {
            "level": q.level,
            "from_level": q.from_level,
            "market": market,
            "in_market": f" in {market}" if market else "",
        }
        for template in spec.labels if spec else ():
            if all(values[f] is not None for f in _fields(template)):
                text = template.format(**values)
                return text[:1].upper() + text[1:]
        return None

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
            topic = self.topic_of(q.intent)
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
        """What the sources mean by a title whose level depends on the company (see
        bot.answering.titles)."""
        return titles.readings(self, title_id, q)

    # -- transitions ----------------------------------------------------------------------
    def path(self, src: str, dst: str) -> list[Transition]:
        """The transitions from `src` up to `dst`, one level at a time."""
        return self.moves.path(src, dst)

    def timeline(self, q: Query, profile: Profile) -> Answer:
        """How long a move takes (bot.answering.moves builds it)."""
        return self.moves.timeline(q, profile)

    def experience(self, q: Query, profile: Profile) -> Answer:
        """The years of experience the sources give a level (bot.answering.moves)."""
        return self.moves.experience(q, profile)

    def promotion(self, q: Query, profile: Profile) -> Answer:
        """What a move takes (bot.answering.moves builds it)."""
        return self.moves.promotion(q, profile)

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
        topic = self.topic_of(q.intent)
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
        topic = self.topic_of(q.intent)
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
        topic = self.topic_of(q.intent)
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
        words: Collection[str] = (),
    ) -> tuple[Block, ...]:
        """Blocks for a topic: general sections plus the one nearest the level, if any; for
        someone coming from another field, the part for that field first and not the others;
        then the sections sharing the most words with the question (`words`)."""
        sections = shaping.relevant_sections(
            sections, words, shaping.words_of, background, self.asking_words
        )
        general = [s for s in sections if s.level is None]
        chosen = self._nearest(sections, level)
        picked = [s for s in sections if s in chosen or s in general]
        limit = per_section if len(picked) > 1 else max(per_section, 6)
        return tuple(Block(s.title, lines(s.items, limit)) for s in picked)

    def _nearest(self, sections: Sequence[Section], level: str | None) -> list[Section]:
        """The level-specific section nearest the level (all of them without a level)."""
        leveled = [s for s in sections if s.level is not None]
        if not level:
            return leveled
        rank = self.kb.levels[level].rank
        distance = {id(s): abs(self.kb.levels[s.level].rank - rank) for s in leveled if s.level}
        if not distance:
            return []
        nearest = min(distance.values())
        return [s for s in leveled if distance[id(s)] == nearest][:1]

    def topic(self, q: Query, profile: Profile, words: Collection[str] = ()) -> Answer:
        """A topical answer (IC vs management, resume, ...), the sections the question's
        words point at first."""
        topic = self.topic_of(q.intent)
        per_section = 3 if len(topic.sections) > 3 else 4
        return Answer(
            topic.title,
            self.lead(profile, q),
            self.sections(topic.sections, q.level, per_section, profile.background, words),
            self.around(Query(q.intent, q.level, None, q.market))
            if q.level
            else self.suggest(Query("next_steps"), Query("accelerate"), Query("salary")),
        )


def _count(n: int) -> str:
    """ "three" for 3 (small counts read better as words)."""
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return words[n] if n < len(words) else str(n)


@lru_cache(maxsize=512)
def _fields(template: str) -> tuple[str, ...]:
    """The fields a label template names (parsed once: labels are made for every answer)."""
    return tuple(f for _, f, _, _ in string.Formatter().parse(template) if f)
