"""Replies about what the bot keeps: the profile on view, what a message saved (with undo),
changes held back, confirmations before anything is destroyed, and what a title means."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.answering.answer import Answer, Block, Choice, Line
from bot.domain import PROFILE_FIELDS, Context, Profile
from bot.knowledge.model import CompanyTitle, KnowledgeBase, PlanItem

FIELD_NAMES = {
    "level": "level",
    "market": "market",
    "level_since": "time at level",
    "background": "background",
}
UNDO = Choice("Undo", "undo")
YES, NO = "yes", "no"


class AccountReplies:
    """Builds the replies about a user's stored data for one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.backgrounds = {b.id: b.name for b in kb.lexicon.backgrounds}

    def value(self, field: str, value: object) -> str:
        """A stored value as the user reads it ("senior", "United Kingdom", "March 2024")."""
        if value is None:
            return "not set"
        if field == "level" and isinstance(value, str) and value in self.kb.levels:
            return self.kb.levels[value].noun
        if field == "market" and isinstance(value, str) and value in self.kb.markets:
            return self.kb.markets[value].name
        if field == "background" and isinstance(value, str):
            return self.backgrounds.get(value, value)
        if isinstance(value, date):
            return value.strftime("%B %Y")
        return str(value)

    def saved(self, before: Profile, after: Profile, fields: Sequence[str]) -> Block:
        """ "Saved: level senior ML engineer → staff ML engineer", one line per field."""
        lines = []
        for name in fields:
            old, new = getattr(before, name), getattr(after, name)
            change = self.value(name, new) if old is None else (
                f"{self.value(name, old)} → {self.value(name, new)}"
            )  # fmt: skip
            lines.append(Line(f"{FIELD_NAMES[name].capitalize()}: {change}"))
        return Block("Saved (say “undo” to take it back)", tuple(lines))

    def held(
        self, profile: Profile, held: Mapping[str, object]
    ) -> tuple[Block, tuple[Choice, ...]]:
        """What a message named but did not change (a question, or about someone else), and a
        choice that saves it with a statement."""
        lines, choices = [], []
        for name in PROFILE_FIELDS:
            if name not in held:
                continue
            new = held[name]
            old = self.value(name, getattr(profile, name))
            lines.append(Line(f"Your {FIELD_NAMES[name]} stays {old}."))
            statement = self._statement(name, new, profile)
            if statement:
                choices.append(Choice(f"Save {self.value(name, new)}", statement))
        return Block("Not changed", tuple(lines)), tuple(choices)

    def _statement(self, field: str, value: object, profile: Profile) -> str | None:
        if field == "level" and isinstance(value, str) and value in self.kb.levels:
            return f"I'm {self.kb.levels[value].a_noun}"
        if field == "market" and isinstance(value, str) and value in self.kb.markets:
            return f"I work in {self.kb.markets[value].name}"
        if field == "level_since" and isinstance(value, date) and profile.level:
            return f"I've been {profile.level} since {value.strftime('%B %Y')}"
        if field == "background" and isinstance(value, str):
            return f"I'm moving into ML from {self.backgrounds.get(value, value)}"
        return None

    def profile_view(
        self,
        profile: Profile,
        context: Context | None,
        plan_lines: Sequence[str],
        nudges: str,
        keep_unanswered: bool,
    ) -> Answer:
        """Everything stored about the user, with a way to delete it (after a confirmation)."""
        rows = [Line(f"{FIELD_NAMES[f].capitalize()}: {self.value(f, getattr(profile, f))}")
                for f in PROFILE_FIELDS]  # fmt: skip
        topic = f"last topic “{context.intent}”, kept 30 minutes" if context else "none"
        rows += [Line(f"Conversation: {topic}"), Line(f"Nudges: {nudges}")]
        rows += [Line(text) for text in plan_lines]
        rows.append(Line("When you last wrote to me, to count active users."))
        note = (
            "Questions I could not answer are kept without your id to improve the bot."
            if keep_unanswered
            else None
        )
        return Answer(
            "What I store about you",
            "Change it by telling me (“I'm a senior MLE in London”); “undo” takes the last "
            "change back.",
            (Block(None, tuple(rows)),),
            note=note,
            choices=(Choice("Delete all of it", "forget me"),),
        )

    def confirm_forget(self, profile: Profile, plan_marks: int, archived: int) -> Answer:
        """Ask before deleting everything, saying exactly what goes."""
        parts = [f"your {FIELD_NAMES[f]} ({self.value(f, getattr(profile, f))})"
                 for f in PROFILE_FIELDS if getattr(profile, f) is not None]  # fmt: skip
        if plan_marks:
            parts.append(f"the status of {plan_marks} plan item{'s' * (plan_marks > 1)}")
        if archived:
            parts.append(f"{archived} archived plan{'s' * (archived > 1)}")
        parts += ["your nudge settings and history", "our conversation"]
        return Answer(
            "Delete everything I store about you?",
            "This deletes " + ", ".join(parts) + ". It cannot be undone.",
            note="Say “yes” to delete it. Anything else keeps it.",
            choices=(Choice("Yes, delete everything", YES), Choice("Keep it", NO)),
        )

    def confirm_plan_reset(self, from_level: str, to_level: str, marked: int) -> Answer:
        """Ask before setting every item of a plan back to "to do"."""
        return Answer(
            f"Reset your plan {from_level} → {to_level}?",
            f"The {marked} item{'s' * (marked != 1)} you marked go back to “to do”.",
            note="Say “yes” to reset it. Anything else keeps it.",
            choices=(Choice("Yes, reset the plan", YES), Choice("Keep it", NO)),
        )

    def confirm_plan_skip(self, items: Sequence[PlanItem], statuses: Mapping[str, str]) -> Answer:
        """Ask before marking plan items as not relevant."""
        names = "; ".join(f"{i.name} (now {statuses.get(i.id, 'todo')})" for i in items)
        return Answer(
            "Take this off your plan?",
            f"I'd mark it as not relevant: {names}.",
            note="Say “yes” to take it off. Anything else keeps it.",
            choices=(Choice("Yes, take it off", YES), Choice("Keep it", NO)),
        )

    def forgotten(self, existed: bool) -> Answer:
        """Confirmation that everything about the user was deleted."""
        if existed:
            return Answer(
                "Done: I deleted everything I stored about you.",
                "Your profile, plan, nudges and conversation are gone. Say hi to start over.",
            )
        return Answer("I had nothing stored about you.", "There was nothing to delete.")

    def undone(self, before: Profile, after: Profile, fields: Sequence[str]) -> Answer:
        """What "undo" restored."""
        if not fields:
            return Answer("Nothing to undo.", "Your profile has no earlier state to go back to.")
        lines = tuple(
            Line(f"{FIELD_NAMES[f].capitalize()}: back to {self.value(f, getattr(after, f))}")
            for f in fields
        )
        return Answer("Undone.", None, (Block(None, lines),))

    def forwarded(self) -> Answer:
        """The reply to forwarded words that would change something stored."""
        return Answer(
            "That's a forwarded message: I changed nothing.",
            "I read forwarded messages as someone else's words. To change your profile, plan or "
            "nudges, tell me yourself.",
        )

    def ask_title(self, title: CompanyTitle) -> Answer:
        """A title whose level depends on the company: which level is it where you are?"""
        levels = [lv for lv in self.kb.levels.values() if lv.rank >= 2]
        choices = tuple(Choice(lv.name.split()[0], f"I'm {lv.a_noun}") for lv in levels)
        return Answer(
            f"“{title.name}” means different levels at different companies.",
            "Which is closest where you work? Pick one, or tell me your years of experience.",
            (Block(None, (Line(title.differ.text, title.differ.sources),)),),
            choices=choices,
        )
