"""The coach side of the advisor: a user's plan, ticking items off, exports and promotions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.answering.answer import Answer, Block, Line, Suggestion
from bot.coaching import plans
from bot.domain import Profile, Query
from bot.knowledge.model import KnowledgeBase, Plan

if TYPE_CHECKING:
    from bot.storage.store import Storage

_EXPORT_WORDS = ("export", "download", "markdown", "as a file", "as a document", "send me my plan")


@dataclass(frozen=True)
class Document:
    """A file to send along with a reply."""

    filename: str
    text: str


@dataclass(frozen=True)
class PlanReply:
    """A plan answer, a document if one was asked for, and the items to offer buttons for."""

    answer: Answer
    document: Document | None = None
    items: tuple[tuple[str, str], ...] = ()  # (item id, name): the items to offer marks for


class Planner:
    """Plans per user: what to show, what a message ticks off, what a promotion does."""

    def __init__(self, kb: KnowledgeBase, storage: Storage) -> None:
        self.kb = kb
        self.storage = storage

    def plan_for(self, profile: Profile, target: str | None = None) -> Plan | None:
        """The plan toward `target`, or toward the user's next level."""
        own_next = self.kb.next_level(profile.level) if profile.level else None
        if target and target != own_next:
            return plans.plan_to(self.kb, target)
        return plans.plan_from(self.kb, profile.level)

    async def reply(
        self, profile: Profile, text: str, target: str | None, now: datetime
    ) -> PlanReply:
        """Answer a plan message: tick items, export, or show the plan (the gap)."""
        own = plans.plan_from(self.kb, profile.level)
        statuses = await self.storage.plan_statuses(profile.user_id)
        # What the user says they have is about their own plan ("i mentor two juniors now"
        # names a level, but no target).
        ticks = plans.read_ticks(own, text, self.kb) if own else plans.Ticks()
        if own and ticks:
            answer, statuses = await self._tick(profile, own, statuses, ticks, now)
            vague = tuple(dict.fromkeys((i.id, i.name) for _, items in ticks.ambiguous
                                        for i in items))  # fmt: skip
            # A vague mention is asked about with its likely items only; else the whole plan.
            return PlanReply(answer, None, vague or self._items(own))
        plan = self.plan_for(profile, target)
        if plan is None:
            return PlanReply(self._no_plan(profile, target))
        if any(word in text.lower() for word in _EXPORT_WORDS):
            answer, document = self.export(profile, plan, statuses, now)
            return PlanReply(answer, document)
        return PlanReply(self.show(profile, plan, statuses, now), None, self._items(plan))

    def show(self, profile: Profile, plan: Plan, statuses: dict[str, str], now: datetime) -> Answer:
        """The plan with progress, next step and time at level."""
        since = profile.level_since if profile.level == plan.from_level else None
        return self._with_suggestions(plans.view(self.kb, plan, statuses, since, now), plan)

    async def mark(self, profile: Profile, item_id: str, status: str, now: datetime) -> PlanReply:
        """Set one item's status (a button), then show the plan it belongs to."""
        await self.storage.set_plan_statuses(profile.user_id, {item_id: status}, now)
        plan = next(p for p in self.kb.plans.values() if any(i.id == item_id for i in p.items))
        statuses = await self.storage.plan_statuses(profile.user_id)
        return PlanReply(self.show(profile, plan, statuses, now), None, self._items(plan))

    async def view(self, profile: Profile, plan: Plan, now: datetime) -> PlanReply:
        """A plan as it stands, with every item to mark."""
        statuses = await self.storage.plan_statuses(profile.user_id)
        return PlanReply(self.show(profile, plan, statuses, now), None, self._items(plan))

    def _items(self, plan: Plan) -> tuple[tuple[str, str], ...]:
        """Every item of the plan, in its order: each can be marked (a page at a time)."""
        return tuple((i.id, i.name) for i in plan.items)

    def export(
        self, profile: Profile, plan: Plan, statuses: dict[str, str], now: datetime
    ) -> tuple[Answer, Document]:
        """The plan as a Markdown document, for a promotion packet or a 1:1."""
        name = f"plan-{plan.from_level}-to-{plan.to_level}.md"
        counts = plans.progress(plan, statuses)
        answer = Answer(
            "Your plan as a document",
            f"{name}: {counts.done} of {counts.total} done, {counts.doing} in progress, "
            "with how to show each item and the sources.",
        )
        return answer, Document(name, plans.markdown(self.kb, plan, statuses, now))

    async def promoted(self, profile: Profile, old_level: str, now: datetime) -> Answer:
        """Congratulations, with how far the archived plan got, and the next plan offered."""
        old = plans.plan_from(self.kb, old_level)
        lines = []
        if old is not None:
            # The keeper has archived it already; its statuses stay where they are.
            counts = plans.progress(old, await self.storage.plan_statuses(profile.user_id))
            done, total = counts.done, counts.total
            lines.append(Line(f"Your {old.from_level} → {old.to_level} plan is archived: "
                              f"{done} of {total} done."))  # fmt: skip
        nxt = plans.plan_from(self.kb, profile.level)
        assert profile.level
        if nxt is not None:
            lines.append(Line(f"Your next plan is {nxt.from_level} → {nxt.to_level}: "
                              f"{len(nxt.items)} items. Say “my plan” or use /plan."))  # fmt: skip
        level = self.kb.levels[profile.level]
        suggestions = (Suggestion("My plan", Query("plan", profile.level)),) if nxt else ()
        return Answer(
            f"Congratulations on becoming {level.a_noun}!",
            None,
            (Block(None, tuple(lines)),),
            suggestions,
        )

    async def _tick(
        self,
        profile: Profile,
        plan: Plan,
        statuses: dict[str, str],
        ticks: plans.Ticks,
        now: datetime,
    ) -> tuple[Answer, dict[str, str]]:
        updates = {i.id: "done" for i in ticks.done}
        # "I don't know Kubernetes yet": whatever was marked, it is open again.
        updates.update({i.id: "todo" for i in ticks.still_open if statuses.get(i.id) == "done"})
        if updates:
            await self.storage.set_plan_statuses(profile.user_id, updates, now)
            statuses = {**statuses, **updates}
        lines = []
        if ticks.done:
            lines.append(Line("Ticked: " + "; ".join(i.name for i in ticks.done) + "."))
        if ticks.still_open:
            lines.append(Line("Still open: " + "; ".join(i.name for i in ticks.still_open) + "."))
        for phrase, items in ticks.ambiguous:
            names = " or ".join(f"“{i.name}”" for i in items[:3])
            lines.append(Line(f"“{phrase[:40]}” could be {names}: which one? (tick it below)"))
        counts = plans.progress(plan, statuses)
        answer = Answer(
            f"Your plan: {plan.from_level} → {plan.to_level}",
            f"{counts.done} of {counts.total} done, {counts.doing} in progress.",
            (Block(None, tuple(lines)),),
            (Suggestion("My plan", Query("plan", plan.to_level)),),
        )
        return answer, statuses

    def _no_plan(self, profile: Profile, target: str | None) -> Answer:
        if profile.level is None and target is None:
            return Answer(
                "What's your level?",
                "Tell me your level (“I'm mid-level”) or years of experience and I'll build the "
                "checklist for your next step.",
            )
        level = self.kb.levels[profile.level or target or ""]
        return Answer(
            f"No plan beyond {level.noun}",
            "The sources describe no level above principal, so there is no next step to plan. "
            "Ask “what does a principal do” for the focus at this level.",
        )

    def _with_suggestions(self, answer: Answer, plan: Plan) -> Answer:
        return Answer(
            answer.heading,
            answer.lead,
            answer.blocks,
            (
                Suggestion(
                    f"How long from {plan.from_level} to {plan.to_level}",
                    Query("timeline", plan.to_level, plan.from_level),
                ),
                Suggestion(f"Skills for {plan.to_level}", Query("skills", plan.to_level)),
            ),
            answer.note,
        )
