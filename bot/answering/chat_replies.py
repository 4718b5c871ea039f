"""Replies about the conversation itself: greetings, help, profile changes, scope, clarifying."""

from __future__ import annotations

from bot.answering.answer import Answer, Block, Line
from bot.answering.answers import Answers
from bot.coaching.nudges import describe, local_time
from bot.domain import NudgeState, Profile, Query
from bot.knowledge.model import PlanItem, Tip

EXAMPLES = (
    "What skills for senior?",
    "How much does a staff MLE make in London?",
    "How long from mid to senior?",
    "I feel stuck",
    "IC or management?",
)


class ChatReplies:
    """Builds the replies that are not career answers."""

    def __init__(self, answers: Answers) -> None:
        self.answers = answers
        self.kb = answers.kb

    def _examples(self) -> Block:
        return Block("You can ask, for example", tuple(Line(e) for e in EXAMPLES))

    def _starters(self, profile: Profile) -> Query | None:
        return Query("next_steps", profile.level) if profile.level else Query("getting_started")

    def greeting(self, profile: Profile) -> Answer:
        """Hello, with what the bot remembers and what it can do."""
        remembered = self.remembered(profile)
        return Answer(
            "Hi! I'm a career advisor for machine-learning engineers.",
            remembered,
            (self._examples(),),
            self.answers.suggest(
                self._starters(profile), Query("salary", profile.level, None, profile.market)
            ),
        )

    def remembered(self, profile: Profile) -> str | None:
        """One line on what the bot knows about the user, if anything."""
        parts = []
        if profile.level:
            parts.append(f"you are {self.kb.levels[profile.level].a_noun}")
        if profile.market:
            parts.append(f"you work in {self.answers.market_name(profile.market)}")
        return "I remember that " + " and ".join(parts) + "." if parts else None

    def help(self, profile: Profile) -> Answer:
        """What the bot can do and how."""
        blocks = (
            Block(
                "What I can do",
                (
                    Line("Skills, responsibilities and pay for each level, aspiring to principal."),
                    Line("How long each step takes and how to get promoted."),
                    Line("Interviews, resumes, certifications, getting started, specializations."),
                    Line("Advice when you feel stuck, IC vs management, switching companies."),
                    Line(
                        "I remember your level and market: “I have 4 years experience”, "
                        "“I'm in London”."
                    ),
                    Line("Say “forget me” to delete everything I store about you."),
                ),
            ),
            self._examples(),
        )
        return Answer(
            "How I can help",
            self.remembered(profile),
            blocks,
            self.answers.suggest(self._starters(profile), Query("salary"), Query("timeline")),
            f"Answers come from {self.kb.describe_sources()}; figures show which one says what.",
        )

    def level_set(self, profile: Profile) -> Answer:
        """Confirmation of a stated level (and market)."""
        if profile.level is None:
            return self.ask_level("level")
        level = self.kb.levels[profile.level]
        where = f" in {self.answers.market_name(profile.market)}" if profile.market else ""
        nxt = self.kb.next_level(level.id)
        fields = {b.id: b.name for b in self.kb.lexicon.backgrounds}
        if profile.background in fields and level.rank == 0:
            # Someone coming from another field: not an ML engineer yet, and that is fine.
            field = fields[profile.background]
            heading = f"Got it: you're moving into ML engineering from {field}{where}."
        else:
            heading = f"Got it: you're {level.a_noun}{where}."
        return Answer(
            heading,
            "I'll use that whenever a question doesn't name a level.",
            (Block(None, (Line(level.summary.text, level.summary.sources),)),),
            self.answers.suggest(
                Query("next_steps", level.id),
                Query("promotion", nxt, level.id) if nxt else Query("skills", level.id),
                Query("salary", level.id, None, profile.market),
            ),
        )

    def market_set(self, profile: Profile) -> Answer:
        """Confirmation of a stated market."""
        if profile.market is None:
            return Answer(
                "Which market are you in?",
                "I have figures for: " + ", ".join(m.name for m in self.kb.covered_markets) + ".",
            )
        name = self.answers.market_name(profile.market)
        covered = self.answers.covered_market(profile.market)
        return Answer(
            f"Got it: you work in {name}.",
            "Pay answers will use figures for that market where the sources have them."
            if covered
            else f"No source has pay figures for {name}: pay answers will say so and show the "
            "closest figures there are, for comparison only.",
            (),
            self.answers.suggest(
                Query("salary", profile.level, None, profile.market),
                self._starters(profile),
            ),
        )

    def ask_level(self, intent: str) -> Answer:
        """Ask for the user's level before answering something personal."""
        return Answer(
            "What's your level?",
            "Tell me your level or years of experience, and I'll answer for you.",
            (
                Block(
                    None,
                    tuple(
                        Line(
                            f"{lv.name}"
                            + (
                                f": {lv.years_min:g}+ years"
                                if lv.years_min is not None and lv.years_max is None
                                else f": {lv.years_min:g}–{lv.years_max:g} years"
                                if lv.years_min is not None and lv.years_max is not None
                                else ""
                            )
                        )
                        for lv in self.kb.levels.values()
                    ),
                ),
            ),
        )

    def nudge_status(self, state: NudgeState, heading: str | None = None) -> Answer:
        """The user's nudge settings, the next send time in their zone, and how to change them."""
        if state.active and state.next_due:
            lead = (
                f"Nudges: {describe(state)}. The next one comes "
                f"{local_time(state.next_due, state.tz)} ({state.tz})."
            )
        elif state.stopped:
            lead = "Nudges stopped after several went unanswered."
        else:
            lead = "Nudges are off: I send nothing unless you ask."
        return Answer(
            heading or "Your nudges",
            lead,
            (
                Block(
                    "Change them",
                    (
                        Line("/nudges weekly [day] [HH:MM], e.g. /nudges weekly fri 18:00"),
                        Line("/nudges daily [HH:MM], e.g. /nudges daily 08:30"),
                        Line("/nudges off, or just say “stop the reminders”"),
                        Line(
                            "/timezone Europe/London (UTC until you set one)"
                            if state.tz == "UTC"
                            else f"/timezone: yours is {state.tz}"
                        ),
                    ),
                ),
            ),
            note="One small step for your level at a time; never between 21:00 and 08:00.",
        )

    def nudge(self, step: Tip | PlanItem, done_this_month: int) -> Answer:
        """A nudge: one small step (a tip, or the next item of the user's plan), with sources."""
        steps = "step" if done_this_month == 1 else "steps"
        lead = f"{done_this_month} {steps} done this month." if done_this_month else None
        if isinstance(step, PlanItem):
            # The item is the sources'; how to show it is our suggestion.
            item = Line(step.name, step.sources)
            show = Line(f"Show it: {step.show}", step.sources, ours=True)
            return Answer("A small next step from your plan", lead, (Block(None, (item, show)),))
        tip = Line(step.text, step.based_on, ours=True)
        return Answer("A small next step", lead, (Block(None, (tip,)),))

    def nudges_stopped(self) -> Answer:
        """The one message sent when nudges stop after going unanswered."""
        return Answer(
            "I'll stop the nudges for now.",
            "The last few went unanswered, so I won't send more. Turn them back on any time "
            "with /nudges weekly, or say “remind me every week”.",
        )

    def step_done(self, done_this_month: int) -> Answer:
        """Praise for a step marked done, with the month's count."""
        steps = "step" if done_this_month == 1 else "steps"
        return Answer(f"Nice work: {done_this_month} {steps} done this month.")

    def nudge_problem(self, message: str) -> Answer:
        """A schedule request that cannot be followed, and why."""
        return Answer("I couldn't change your nudges.", message)

    def forgotten(self, existed: bool) -> Answer:
        """Confirmation that everything about the user was deleted."""
        if existed:
            return Answer(
                "Done: I deleted everything I stored about you.",
                "Your level, market and conversation are gone. Say hi to start over.",
            )
        return Answer("I had nothing stored about you.", "There was nothing to delete.")

    def out_of_scope(self, profile: Profile) -> Answer:
        """A kind reply to something outside ML-engineering careers."""
        return Answer(
            "That's outside what I know, sorry.",
            "I only advise on careers in machine-learning engineering: levels, skills, pay, "
            "promotions, interviews and the like.",
            (self._examples(),),
            self.answers.suggest(self._starters(profile), Query("salary"), Query("skills")),
        )

    def clarify(self, query: Query, options: tuple[str, ...]) -> Answer:
        """Ask which of two close intents was meant, naming both."""
        specs = [self.kb.intents.get(o) for o in options]
        names = [(spec.name if spec else None) or o for spec, o in zip(specs, options, strict=True)]
        suggestions = self.answers.suggest(
            *(Query(o, query.level, query.from_level, query.market) for o in options)
        )
        return Answer(
            f"Did you mean {names[0]} or {names[1]}?",
            "Your question could be about either: pick one.",
            (),
            suggestions,
        )
