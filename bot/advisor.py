"""The advisor: one message in, one reply out, with the user's memory kept in storage."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.answering import render, translator
from bot.answering.answer import Answer, Block
from bot.answering.answers import Answers
from bot.answering.chat_replies import ChatReplies
from bot.coaching import nudges, plans
from bot.coaching.planner import Document, Planner
from bot.domain import Context, Event, NudgeState, Profile, Query
from bot.knowledge.model import KnowledgeBase
from bot.understanding import statements
from bot.understanding.dialogue import Turn, resolve
from bot.understanding.language import normalize
from bot.understanding.matching import OUT_OF_SCOPE, Match, Matcher

if TYPE_CHECKING:
    from bot.storage.store import Storage

# Intents whose statements stay what they are even when they name plan items ("I feel stuck
# though I mentor juniors").
_OWN_TOPICS = frozenset({"plan", "stuck", "switch_company", "ic_vs_management", "forget",
                         "nudges", "level_mapping"})  # fmt: skip
# How much of an unanswered question is kept for the operator.
UNANSWERED_CHARS = 200


@dataclass(frozen=True)
class Reply:
    """What the advisor says to one message, with the query it understood."""

    query: Query
    confidence: float
    answer: Answer
    clarify: tuple[str, ...] = ()
    document: Document | None = None
    items: tuple[tuple[str, str], ...] = ()

    @property
    def intent(self) -> str:
        """The intent the reply answers."""
        return self.query.intent


class Advisor:
    """Matches messages, resolves them against the user's memory and builds answers."""

    def __init__(
        self,
        kb: KnowledgeBase,
        storage: Storage,
        matcher: Matcher | None = None,
        keep_unanswered: bool = True,
    ) -> None:
        self.kb = kb
        self.storage = storage
        self.keep_unanswered = keep_unanswered
        self.matcher = matcher or Matcher(kb)
        self.answers = Answers(kb)
        self.replies = ChatReplies(self.answers)
        self.planner = Planner(kb, storage)

    async def ask(
        self, user_id: int, text: str, now: datetime, *, forwarded: bool = False,
        anonymous: bool = False,
    ) -> Reply:  # fmt: skip
        """Answer a free-text message from a user. `forwarded`: someone else's words;
        `anonymous`: a speaker who cannot be told apart (an anonymous group admin). Hooks for
        the adapter: nothing is to be stored from either (not implemented here yet)."""
        profile, context = await self.storage.load(user_id)
        fresh = context if context and context.fresh(now) else None
        match = self.matcher.match(text, fresh.company if fresh else None)
        turn = resolve(self.kb, match, profile, context, now)
        stated = turn.profile.level and (match.slots.own_level or turn.query.intent == "plan")
        since = statements.parse_since(text, now) if stated else None
        if since is not None:
            turn = replace(turn, profile=replace(turn.profile, level_since=since))
        if self._about_own_plan(match, turn, text):
            turn = replace(turn, query=replace(turn.query, intent="plan"))
        if turn.query.intent == "plan" and not self._promoted(profile, turn.profile):
            # Only a level the message names is a target ("missing for senior"); the thread's
            # level is not.
            target = match.slots.level if match.slots.level != turn.profile.level else None
            planned = await self.planner.reply(turn.profile, text, target, now)
            await self.storage.save(turn.profile, turn.context, now, Event("plan"))
            return Reply(turn.query, turn.confidence, planned.answer, (), planned.document,
                         planned.items)  # fmt: skip
        if turn.query.intent == "nudges":
            answer = await self.change_nudges(user_id, text, now, profile.nudges)
            await self.storage.save(turn.profile, turn.context, now, Event("nudges"))
            return Reply(turn.query, turn.confidence, answer)
        unanswered = None
        if turn.query.intent == OUT_OF_SCOPE and self.keep_unanswered:
            # Kept without the user id, to see what the knowledge base is missing.
            unanswered = normalize(text)[:UNANSWERED_CHARS] or None
        return await self._respond(turn, now, unanswered, profile)

    async def run(self, user_id: int, query: Query, now: datetime) -> Reply:
        """Answer an already resolved query (a pressed button), keeping the conversation thread."""
        before, _ = await self.storage.load(user_id)
        profile = before
        if query.intent == "set_level":
            profile = replace(profile, level=query.level)
        elif query.intent == "set_market":
            profile = replace(profile, market=query.market)
        context = Context(query.intent, query.level, query.from_level, query.market, None, now)
        if query.intent == "plan":
            target = query.level if query.level != profile.level else None
            planned = await self.planner.reply(profile, query.detail or "", target, now)
            await self.storage.save(profile, context, now, Event("plan"))
            return Reply(query, 1.0, planned.answer, (), planned.document, planned.items)
        return await self._respond(Turn(query, 1.0, profile, context), now, None, before)

    async def change_nudges(
        self,
        user_id: int,
        text: str,
        now: datetime,
        state: NudgeState | None = None,
        strict: bool = False,
    ) -> Answer:
        """Show or change nudge settings from words ("weekly fri 18:00", "stop reminders").

        With `strict` (a command's arguments), words that ask for nothing are an error.
        """
        if state is None:
            state = (await self.profile(user_id)).nudges
        try:
            request = nudges.parse_request(text)
        except nudges.ScheduleError as exc:
            return self.replies.nudge_problem(str(exc))
        if request == nudges.Request():
            if strict and text.strip():
                return self.replies.nudge_problem(
                    f"I didn't understand “{text.strip()[:40]}”. Use /nudges weekly [day] "
                    "[HH:MM], /nudges daily [HH:MM] or /nudges off."
                )
            return self.replies.nudge_status(state)
        if request.cadence == "off":
            changed = replace(state, cadence="off", next_due=None, stopped=False, ignored=0)
        else:
            try:
                changed = nudges.apply(state, request, now)
            except nudges.ScheduleError as exc:
                return self.replies.nudge_problem(str(exc))
        await self.storage.save_nudges(user_id, changed, now)
        heading = "Nudges are off." if changed.cadence == "off" else "Nudges are set."
        return self.replies.nudge_status(changed, heading)

    async def change_timezone(self, user_id: int, name: str, now: datetime) -> Answer:
        """Set the zone nudges are timed in (IANA names, validated)."""
        state = (await self.profile(user_id)).nudges
        try:
            tz = nudges.zone(name)
        except nudges.ScheduleError as exc:
            return self.replies.nudge_problem(str(exc))
        changed = nudges.schedule(replace(state, tz=tz), now)
        await self.storage.save_nudges(user_id, changed, now)
        return self.replies.nudge_status(changed, f"Time zone set: {tz}.")

    async def profile(self, user_id: int) -> Profile:
        """What is stored about a user."""
        profile, _ = await self.storage.load(user_id)
        return profile

    async def _respond(
        self,
        turn: Turn,
        now: datetime,
        unanswered: str | None = None,
        before: Profile | None = None,
    ) -> Reply:
        query = turn.query
        if query.intent == "forget":
            existed = await self.storage.forget(turn.profile.user_id)
            return Reply(query, turn.confidence, self.replies.forgotten(existed))
        old, new = before.level if before else None, turn.profile.level
        same_since = before is not None and turn.profile.level_since == before.level_since
        if new and old and new != old and same_since:
            # A new level starts a new time at level (unless the message said since when).
            turn = replace(turn, profile=replace(turn.profile, level_since=now.date()))
        if old and before and self._promoted(before, turn.profile):
            answer = await self.planner.promoted(turn.profile, old, now)
        else:
            answer = self.compose(turn, now)
        since = turn.profile.level_since
        if query.intent == "set_level" and new and since and since != now.date():
            step = self.kb.transitions.get((new, self.kb.next_level(new) or ""))
            line = plans.time_at_level_line(step, since, now, new)
            answer = replace(answer, blocks=(*answer.blocks, Block("Time at level", (line,))))
        event = Event(query.intent, unanswered)
        state = turn.profile.nudges
        # Nudges paused by a block (Telegram's 403) resume once the user writes again.
        resume = nudges.next_slot(state, now) if state.active and state.next_due is None else None
        await self.storage.save(turn.profile, turn.context, now, event, resume)
        return Reply(query, turn.confidence, answer, turn.clarify)

    def _about_own_plan(self, match: Match, turn: Turn, text: str) -> bool:
        """A statement about oneself naming things on one's plan ("I already know Docker", "I
        mentor two juniors now") is news for the plan, whatever else it resembles."""
        if match.question or not match.slots.first_person or turn.query.intent in _OWN_TOPICS:
            return False
        if match.slots.own_level or match.slots.years is not None or not statements.claims(text):
            return False
        own = plans.plan_from(self.kb, turn.profile.level)
        return bool(own and plans.read_ticks(own, text))

    def _promoted(self, before: Profile, after: Profile) -> bool:
        """True when a stored level moved up."""
        old, new = before.level, after.level
        return bool(old and new and self.kb.levels[new].rank > self.kb.levels[old].rank)

    def compose(self, turn: Turn, now: datetime | None = None) -> Answer:
        """The answer for a resolved turn (`now` relates timelines to the user's time at level)."""
        query, profile = turn.query, turn.profile
        if turn.clarify:
            return self.replies.clarify(query, turn.clarify)
        if turn.needs_level:
            return self.replies.ask_level(query.intent)
        simple = {
            "greeting": self.replies.greeting,
            "help": self.replies.help,
            "set_level": self.replies.level_set,
            "set_market": self.replies.market_set,
            OUT_OF_SCOPE: self.replies.out_of_scope,
        }
        if query.intent == "nudges":
            return self.replies.nudge_status(profile.nudges)
        if query.intent == "level_mapping":
            return translator.answer(self.kb, turn.ladder, query.level)
        if query.intent == "plan":  # plans need storage: ask() and run() answer them
            return Answer("Your plan", "Say “my plan” to see it, or use /plan.")
        if query.intent in simple:
            return simple[query.intent](profile)
        return self.answers.build(query, profile, now)

    def plain(self, answer: Answer) -> str:
        """An answer as plain text."""
        return render.plain(answer, self.kb.sources)

    def as_json(self, reply: Reply) -> dict[str, Any]:
        """The stable scripting shape of a reply."""
        return {
            "intent": reply.query.intent,
            "level": reply.query.level,
            "from_level": reply.query.from_level,
            "market": reply.query.market,
            "confidence": round(reply.confidence, 3),
            "answer": reply.document.text if reply.document else self.plain(reply.answer),
            "suggestions": [s.label for s in reply.answer.suggestions],
        }
