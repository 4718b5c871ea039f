"""Carrying out what changes or destroys stored data, once the rules of `bot.changes` allow it:
confirmed deletions and plan resets, undo, and the plans that follow a level up or down. Also
what the user sees of their data. Time is a parameter."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot import changes
from bot.answering.account import AccountReplies
from bot.answering.answer import Answer
from bot.coaching import nudges, plans
from bot.domain import Profile, changed_fields
from bot.knowledge.model import KnowledgeBase, Plan

if TYPE_CHECKING:
    from bot.storage.store import Storage


class Keeper:
    """The storage side of changes to a user's data, for one knowledge base."""

    def __init__(self, kb: KnowledgeBase, storage: Storage, keep_unanswered: bool = True):
        self.kb = kb
        self.storage = storage
        self.replies = AccountReplies(kb)
        self.keep_unanswered = keep_unanswered

    # -- asking first ----------------------------------------------------------------------
    async def ask_forget(self, profile: Profile) -> Answer:
        """The question before deleting everything, naming what would go."""
        marks = await self.storage.plan_statuses(profile.user_id)
        archived = await self.storage.plan_history(profile.user_id)
        return self.replies.confirm_forget(profile, len(marks), len(archived))

    async def ask_plan_change(self, profile: Profile, plan: Plan, text: str) -> tuple[Answer, str]:
        """The question before resetting a plan or taking named items off it, and the action
        that waits for the answer."""
        statuses = await self.storage.plan_statuses(profile.user_id)
        named = plans.named_items(plan, text, self.kb)
        if named:
            action = changes.pending(changes.PLAN_SKIP, tuple(i.id for i in named))
            return self.replies.confirm_plan_skip(named, statuses), action
        marked = sum(1 for i in plan.items if i.id in statuses)
        answer = self.replies.confirm_plan_reset(plan.from_level, plan.to_level, marked)
        return answer, changes.pending(changes.PLAN_RESET, (plan.from_level,))

    # -- after a "yes" ---------------------------------------------------------------------
    async def carry_out(self, action: str, profile: Profile, now: datetime) -> Answer:
        """Do what the user just confirmed."""
        kind, items = changes.parse_pending(action)
        if kind == changes.FORGET:
            return self.replies.forgotten(await self.storage.forget(profile.user_id))
        if kind == changes.PLAN_RESET and items and items[0] in self.kb.plans:
            plan = self.kb.plans[items[0]]
            await self.storage.reset_plan_items(profile.user_id, [i.id for i in plan.items])
            return Answer(f"Your plan {plan.from_level} → {plan.to_level} starts afresh.",
                          "Every item is “to do” again. Say “my plan” to see it.")  # fmt: skip
        if kind == changes.PLAN_SKIP:
            known = [i for i in items if self.kb.plan_item(i)]
            await self.storage.set_plan_statuses(profile.user_id, dict.fromkeys(known, "skip"), now)
            names = "; ".join(item.name for i in known if (item := self.kb.plan_item(i)))
            return Answer("Taken off your plan.", f"Marked as not relevant: {names}.")
        return Answer("That request has expired.", "Nothing was changed.")

    # -- undo --------------------------------------------------------------------------------
    async def undo(self, profile: Profile, now: datetime) -> tuple[Answer, Profile]:
        """Restore the profile before its latest change, and the plans that go with its level."""
        restored = await self.storage.undo(profile.user_id, now)
        if restored is None:
            return self.replies.undone(profile, profile, []), profile
        after = Profile(profile.user_id, restored.level, restored.market, profile.nudges,
                        restored.level_since, restored.background)  # fmt: skip
        await self.follow_level(profile, after, now)
        return self.replies.undone(profile, after, changed_fields(profile, after)), after

    async def settle_level(
        self, before: Profile, after: Profile, now: datetime
    ) -> tuple[Profile, bool]:
        """The profile once a change of level has its time at level, plans following it; and
        whether the change was a promotion."""
        old, new = before.level, after.level
        # A promotion is to the next level up. A jump over a level, either way, corrects what
        # was saved (a senior data scientist moving into ML, saved as aspiring, says "/level
        # senior"; "sorry, I'm actually junior" after staff): no congratulations, and when that
        # level began is not known.
        jumped = bool(old and new and abs(self.kb.levels[new].rank - self.kb.levels[old].rank) > 1)
        if new and old and new != old and after.level_since == before.level_since:
            # A new level starts a new time at level (unless the message said since when), and
            # going back to the level just left is a correction: its time at level returns.
            fresh_start = replace(after, level_since=None if jumped else now.date())
            after = await self.restored_since(before, fresh_start)
        archived = await self.follow_level(before, after, now)
        return after, bool(archived and old and not jumped)

    async def follow_level(self, before: Profile, after: Profile, now: datetime) -> int:
        """Plans follow the level: going up archives the plan left behind (its statuses stay);
        going back down brings archived plans back whole. How many plans were archived."""
        old, new = before.level, after.level
        if not old or not new or old == new:
            return 0
        ranks = {lv.id: lv.rank for lv in self.kb.levels.values()}
        if ranks[new] < ranks[old]:
            back = [lv for lv, r in ranks.items() if r >= ranks[new]]
            await self.storage.unarchive_plans(after.user_id, back)
            return 0
        plan = plans.plan_from(self.kb, old)
        if plan is None:
            return 0
        await self.storage.archive_plan(after.user_id, plan.from_level, plan.to_level,
                                        [i.id for i in plan.items], now)  # fmt: skip
        return 1

    async def restored_since(self, before: Profile, after: Profile) -> Profile:
        """A level that goes back to the one just before keeps its old time at level ("sorry,
        typo, I'm still senior" after "I'm staff now")."""
        previous = await self.storage.last_change(after.user_id)
        if previous and previous.level == after.level and previous.level_since:
            return Profile(after.user_id, after.level, after.market, after.nudges,
                           previous.level_since, after.background)  # fmt: skip
        return after

    # -- seeing one's data ---------------------------------------------------------------------
    async def profile_view(self, user_id: int, now: datetime) -> Answer:
        """Everything stored about the user."""
        profile, context = await self.storage.load(user_id)
        fresh = context if context and context.fresh(now) else None
        lines = []
        plan = plans.plan_from(self.kb, profile.level)
        if plan is not None:
            counts = plans.progress(plan, await self.storage.plan_statuses(user_id))
            lines.append(f"Plan {plan.from_level} → {plan.to_level}: {counts.done} of "
                         f"{counts.total} done, {counts.doing} in progress")  # fmt: skip
        for src, dst, when, done, total in await self.storage.plan_history(user_id):
            lines.append(f"Archived plan {src} → {dst} ({when:%b %Y}): {done} of {total} done")
        described = nudges.describe(profile.nudges)
        return self.replies.profile_view(
            profile, fresh, lines, f"{described}; steps you marked done and tips sent",
            self.keep_unanswered,
        )  # fmt: skip
