"""What buttons, chat events and nudge rounds do, for any front end: plan statuses, nudge
Done / Another / Snooze / Pause, forget, what the bot stores about a user, operator statistics.
A front end calls these and sends what they return; it makes no storage calls of its own."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot import changes
from bot.advisor import Advisor
from bot.answering.answer import Answer, Block, Line
from bot.coaching import nudges, plans
from bot.coaching.planner import PlanReply
from bot.domain import Due, Event, NudgeState, Profile, Query
from bot.knowledge.model import KnowledgeBase, PlanItem, Tip
from bot.reply import asking
from bot.storage.durable import NudgeLeases
from bot.storage.health import is_write_failure
from bot.storage.store import Storage
from bot.understanding.dialogue import Turn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NudgePreview:
    """A user's nudge settings and the step their next nudge carries."""

    state: NudgeState
    level: str | None
    step: Tip | PlanItem


def month_start(now: datetime) -> datetime:
    """The first moment of now's month (UTC), for "steps done this month"."""
    return datetime(now.year, now.month, 1, tzinfo=UTC)


class Services:
    """The core behind every button and chat event (time is always a parameter)."""

    def __init__(self, kb: KnowledgeBase, storage: Storage, advisor: Advisor) -> None:
        self.kb, self.storage, self.advisor = kb, storage, advisor
        self.replies = advisor.replies
        self.leases = NudgeLeases(storage)

    # -- the user -------------------------------------------------------------------------
    async def seen(self, user_id: int, now: datetime) -> None:
        """The user wrote: active now, and not blocking the bot. Best-effort: on a full disk a
        command that only reads still answers."""
        try:
            await self.storage.seen(user_id, now)
        except Exception as exc:
            if not is_write_failure(exc):
                raise
            log.warning("user=%s: could not note the user as seen (%s)", user_id, exc)

    async def blocked(self, user_id: int, now: datetime) -> None:
        """The user's private chat refuses messages (blocked, deactivated): out of the nudge
        schedule until they write again."""
        await self.storage.mark_blocked(user_id, now)

    async def profile(self, user_id: int) -> Profile:
        """What is stored about a user."""
        return await self.advisor.profile(user_id)

    async def stored(self, user_id: int, now: datetime) -> Answer:
        """/profile: everything the bot stores about the user."""
        return await self.advisor.keeper.profile_view(user_id, now)

    async def ask_forget(self, user_id: int, now: datetime) -> Answer:
        """/forget: what deleting would take, asked first. As after "forget me", a typed "yes"
        next deletes it and anything else keeps it (someone typed "yes" under /forget's
        question and was told it was outside what the bot knows)."""
        before, context, _ = await self.storage.load_turn(user_id)
        answer = await self.advisor.keeper.ask_forget(before)
        if await self.storage.known(user_id):  # nothing stored: nothing to wait for
            base = context if context and context.fresh(now) else None
            waiting = asking(Turn(Query("forget"), 1.0, before, base), changes.FORGET, now)
            await self.storage.save(before, waiting.context, now, Event("forget"))
        return answer

    async def drop_pending(self, user_id: int) -> None:
        """Forget a question waiting for the user's "yes" (a command or a button came instead)."""
        await self.storage.drop_confirm(user_id)

    async def forget(self, user_id: int) -> Answer:
        """Delete everything stored about the user."""
        return self.replies.forgotten(await self.storage.forget(user_id))

    async def stats(self, now: datetime, keep_unanswered: bool) -> Answer:
        """/stats for operators: users, activity, questions per intent, nudges, unanswered."""
        stats = await self.storage.stats(now)
        oos = stats.questions_7d.get("out_of_scope", 0)
        blocks = [
            Block(None, (
                Line(f"Users: {stats.users} (active in the last 7 days: {stats.active_7d})"),
                Line(f"Blocked the bot: {stats.blocked}"),
                Line(f"Out of scope (7 days): {oos}"),
            )),
            Block("Questions per intent (7 days / all time)", tuple(
                Line(f"{intent}: {n} / {stats.questions_total.get(intent, n)}")
                for intent, n in stats.questions_7d.items()
            ) or (Line("none yet"),)),
            Block("Nudges (7 days / all time)", tuple(
                Line(f"{e}: {stats.nudges_7d.get(e, 0)} / {stats.nudges_total.get(e, 0)}")
                for e in ("sent", "done", "snoozed", "paused", "stopped")
            )),
        ]  # fmt: skip
        if keep_unanswered:
            unanswered = tuple(Line(f"{n}× {text}") for text, n in stats.unanswered)
            blocks.append(Block("Most frequent unanswered", unanswered or (Line("none"),)))
        return Answer("Bot statistics", None, tuple(blocks))

    # -- plans ----------------------------------------------------------------------------
    async def mark_plan(self, user_id: int, item_id: str, status: str, now: datetime) -> PlanReply:
        """A plan item's button: set its status; the plan as it now stands."""
        profile = await self.advisor.profile(user_id)
        return await self.advisor.planner.mark(profile, item_id, status, now)

    async def plan_marks(self, user_id: int) -> dict[str, str]:
        """The status the user gave each plan item (items never marked are to do)."""
        return await self.storage.plan_statuses(user_id)

    async def plan_view(self, user_id: int, plan_id: str, now: datetime) -> PlanReply:
        """A plan (by its from-level) as it stands for the user, with every item to mark."""
        profile = await self.advisor.profile(user_id)
        return await self.advisor.planner.view(profile, self.kb.plans[plan_id], now)

    # -- nudges ---------------------------------------------------------------------------
    async def nudges_offered(self, user_id: int) -> bool:
        """True once the user was offered nudges (or set them up)."""
        return await self.storage.nudges_offered(user_id)

    async def next_step(self, user_id: int, level: str | None) -> Tip | PlanItem:
        """The user's next unfinished plan item, else their next unseen tip for their level
        (a new round once all were seen)."""
        plan = plans.plan_from(self.kb, level)
        open_items: list[PlanItem] = []
        if plan is not None:
            open_items = plans.open_items(plan, await self.storage.plan_statuses(user_id))
        seen = await self.storage.tips_seen(user_id)
        step, restarted = nudges.pick_step(open_items, self.kb.tips, level, seen)
        if restarted:
            await self.storage.forget_tips(user_id, seen)
        return step

    async def nudge_preview(self, user_id: int) -> NudgePreview | None:
        """What a user's next nudge would carry, changing nothing; None for an unknown user."""
        if not await self.storage.known(user_id):
            return None
        profile = await self.advisor.profile(user_id)
        plan = plans.plan_from(self.kb, profile.level)
        open_items: list[PlanItem] = []
        if plan is not None:
            open_items = plans.open_items(plan, await self.storage.plan_statuses(user_id))
        seen = await self.storage.tips_seen(user_id)
        step, _ = nudges.pick_step(open_items, self.kb.tips, profile.level, seen)
        return NudgePreview(profile.nudges, profile.level, step)

    async def nudge_message(
        self, user_id: int, level: str | None, now: datetime
    ) -> tuple[Answer, str]:
        """A nudge for the user: its answer and the id of the step it carries."""
        step = await self.next_step(user_id, level)
        done = await self.storage.count_events(user_id, "done", month_start(now))
        return self.replies.nudge(step, done), step.id

    async def nudge_done(self, user_id: int, step_id: str, now: datetime) -> Answer:
        """Done under a nudge: counted (and ticked on the plan, for a plan item)."""
        if self.kb.plan_item(step_id):
            await self.storage.set_plan_statuses(user_id, {step_id: "done"}, now)
        await self.storage.nudge_event(user_id, step_id, "done", now)
        return self.replies.step_done(
            await self.storage.count_events(user_id, "done", month_start(now))
        )

    async def nudge_another(self, user_id: int, now: datetime) -> tuple[Answer, str]:
        """Another tip: a new step, sent now (the caller sends it with its buttons)."""
        profile = await self.advisor.profile(user_id)
        answer, step_id = await self.nudge_message(user_id, profile.level, now)
        await self.storage.nudge_event(user_id, step_id, "another", now)
        await self.storage.nudge_event(user_id, step_id, "sent", now)
        return answer, step_id

    async def nudge_snooze(self, user_id: int, step_id: str, now: datetime) -> Answer:
        """Snooze a day."""
        state = nudges.snooze((await self.advisor.profile(user_id)).nudges, now)
        await self.storage.save_nudges(user_id, state, now)
        await self.storage.nudge_event(user_id, step_id, "snoozed", now)
        return self.replies.nudge_status(state, "Snoozed for a day.")

    async def nudge_pause(self, user_id: int, step_id: str, now: datetime) -> Answer:
        """Pause nudges."""
        answer = await self.advisor.change_nudges(user_id, "off", now)
        await self.storage.nudge_event(user_id, step_id, "paused", now)
        return replace(answer, heading="Nudges paused.")

    # -- the nudge round ------------------------------------------------------------------
    async def recover_leases(self, now: datetime) -> list[int]:
        """At start: leases of a dead process end; users whose nudge was mid-send."""
        return await self.leases.recover(now, nudges.on_due)

    async def claim_nudges(
        self, now: datetime, limit: int, lease_seconds: float
    ) -> list[tuple[int, str | None, Due]]:
        """Lease up to `limit` due nudges: (user, level, what to do)."""
        claimed = await self.leases.claim(now, limit, nudges.on_due, lease_seconds)
        return [(user, level, due) for user, level, _, due in claimed]

    async def nudge_sending(self, user_id: int) -> None:
        """The nudge's request is about to leave."""
        await self.leases.sending(user_id)

    async def nudge_unsent(self, user_id: int) -> None:
        """The nudge's request was refused before delivery (a 429)."""
        await self.leases.unsent(user_id)

    async def nudge_accepted(
        self, user_id: int, due: Due, now: datetime, step_id: str | None
    ) -> None:
        """Telegram accepted the nudge: the schedule moves on and it is counted."""
        event = "stopped" if due.action == "stop" else "sent"
        await self.leases.complete(user_id, due.state, now, event, step_id)

    async def nudge_refused(self, user_id: int, due: Due, now: datetime) -> None:
        """The user's chat refuses messages: marked, the schedule moves on, not counted."""
        await self.blocked(user_id, now)
        await self.leases.complete(user_id, replace(due.state, ignored=0), now)

    async def nudge_unknown(self, user_id: int, due: Due, now: datetime) -> None:
        """The nudge may or may not have arrived: never sent again, not counted."""
        prior: NudgeState = due.state
        await self.leases.complete(user_id, replace(prior, ignored=max(0, prior.ignored - 1)),
                                   now)  # fmt: skip

    async def nudge_not_delivered(self, user_id: int) -> None:
        """The nudge was not delivered: due again at the next round."""
        await self.leases.release(user_id)
