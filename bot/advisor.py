"""The advisor: one message in, one reply out, with the user's memory kept in storage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot import changes
from bot.answering import referrals, render, small_talk, suggestions, translator, unsure
from bot.answering.account import UNDO
from bot.answering.answer import Answer, Block, Choice, Line
from bot.answering.answers import Answers
from bot.answering.chat_replies import ChatReplies
from bot.coaching import nudges, plans
from bot.coaching.planner import Planner
from bot.domain import Context, Event, NudgeState, Profile, Query, ShownPage, changed_fields
from bot.keeper import Keeper
from bot.knowledge import readings
from bot.knowledge.model import KnowledgeBase
from bot.pager import Pager
from bot.reply import Outcome, asking, says_any, to_json, unplaced_title, with_note
from bot.reply import Reply as Reply
from bot.understanding import statements
from bot.understanding.dialogue import Said, Turn
from bot.understanding.language import normalize
from bot.understanding.pipeline import Pipeline

if TYPE_CHECKING:
    from bot.storage.store import Storage

# How much of an unanswered question is kept for the operator.
UNANSWERED_CHARS = 200


class Advisor:
    """Matches messages, resolves them against the user's memory and builds answers."""

    def __init__(
        self,
        kb: KnowledgeBase,
        storage: Storage,
        pipeline: Pipeline | None = None,
        keep_unanswered: bool = True,
    ) -> None:
        self.kb = kb
        self.storage = storage
        self.keep_unanswered = keep_unanswered
        self.pipeline = pipeline or Pipeline(kb)
        self.answers = Answers(kb)
        self.replies = ChatReplies(self.answers)
        self.planner = Planner(kb, storage)
        self.keeper = Keeper(kb, storage, keep_unanswered)
        self.pager = Pager(kb)

    async def ask(
        self, user_id: int, text: str, now: datetime, *, forwarded: bool = False,
        anonymous: bool = False,
    ) -> Reply:  # fmt: skip
        """Answer a free-text message from a user. A `forwarded` message is someone else's
        words, and an `anonymous` speaker (an anonymous group admin) cannot be told apart from
        others: both are answered, but nothing they say changes or destroys what is stored."""
        before, context, shown = await self.storage.load_turn(user_id)
        forwarded = forwarded or anonymous
        fresh = context if context and context.fresh(now) else None
        waiting = fresh.confirm if fresh else None
        if waiting and context:
            # The answer to "delete everything?" is this message: "yes" does it, a refusal made
            # only of refusal words ("no wait dont") is answered as one, anything else cancels
            # it and is answered as itself.
            context = replace(context, confirm=None)
            affirms = not forwarded and changes.affirms(self.kb.lexicon, text)
            if affirms or changes.declines(self.kb.lexicon, text):
                answer = (await self.keeper.carry_out(waiting, before, now) if affirms
                          else Answer(changes.cancelled(waiting)))  # fmt: skip
                if await self.storage.known(user_id):
                    await self.storage.save(before, context, now, Event("confirm"))
                return Reply(Query("confirm"), 1.0, answer)
        turn = self._dated(self.pipeline.understand(text, before, context, now), text, now)
        rewrites = self.kb.intents[turn.query.intent].rewrites
        gated = changes.gate(before, turn.profile, rewrites, forwarded)
        turn = replace(turn, profile=gated.profile)
        outcome = await self._act(turn, text, now, before, forwarded, shown)
        reply = await self._finish(outcome, before, now, gated.held, shown)
        if waiting:
            reply = replace(reply, answer=with_note(reply.answer, changes.cancelled(waiting)))
        return reply

    def _dated(self, turn: Turn, text: str, now: datetime) -> Turn:
        """The turn with a dated time at level ("senior since 2023") when the message states
        the speaker's level or is news for their plan."""
        said = turn.said
        own = said is not None and said.slots.own_level is not None
        stated = turn.profile.level and (own or self._action(turn.query.intent) == "plan")
        since = statements.parse_since(text, now, self.kb.lexicon.statements) if stated else None
        if since is None:
            return turn
        return replace(turn, profile=replace(turn.profile, level_since=since))

    async def _act(
        self, turn: Turn, text: str, now: datetime, before: Profile, forwarded: bool = False,
        shown: ShownPage | None = None,
    ) -> Outcome:  # fmt: skip
        """Answer the turn, doing what it asks of storage (never destroying without a "yes");
        `shown`: the last page of a long answer shown, for "more"."""
        spec = self.kb.intents[turn.query.intent]
        if forwarded and spec.changes_state:
            # Someone else's words: whatever they say, nothing of the reader's is changed.
            answer = self.keeper.replies.forwarded()
            return Outcome(
                Reply(turn.query, turn.confidence, answer), replace(turn, profile=before)
            )
        action = self._action(turn.query.intent)
        if action == "plan" and not self._promoted(before, turn.profile):
            return await self._plan(turn, text, now)
        if action == "small_talk":
            # Thanks, goodbye, "ok": one line back, and the conversation's thread goes on.
            talk = Reply(turn.query, turn.confidence, small_talk.reply(turn.words))
            return Outcome(talk, replace(turn, profile=before))
        if action == "more":  # the next page of the last long answer
            build = lambda q, words: self.compose(replace(turn, query=q), now, words)  # noqa: E731
            return self.pager.more(turn, build, now, shown)
        if action in ("nudges", "forget", "profile", "undo"):
            return await self._on_data(action, turn, text, now, before)
        title = unplaced_title(turn) if spec.states == "level" else None
        if title is not None:
            # "I'm the ML lead on my team": the level depends on the company; ask, change nothing.
            answer = self.keeper.replies.ask_title(self.kb.titles[title])
            kept = replace(turn, profile=before, query=Query(turn.query.intent))
            return Outcome(Reply(kept.query, turn.confidence, answer), kept)
        unanswered = None
        if spec.fallback and self.keep_unanswered:
            # Kept without the user id, to see what the knowledge base is missing.
            unanswered = normalize(text)[:UNANSWERED_CHARS] or None
        return await self._respond(turn, now, before, unanswered)

    async def _on_data(
        self, action: str, turn: Turn, text: str, now: datetime, before: Profile
    ) -> Outcome:
        """The actions on the user's data: nudge settings, forgetting (asked first), seeing
        it, undoing the last change."""
        if action == "nudges":
            answer = await self.change_nudges(turn.profile.user_id, text, now, before.nudges)
            return Outcome(Reply(turn.query, turn.confidence, answer), turn)
        if action == "forget":
            answer = await self.keeper.ask_forget(before)
            asked = asking(turn, changes.FORGET, now)
            return Outcome(Reply(turn.query, turn.confidence, answer), asked)
        if action == "profile":
            answer = await self.keeper.profile_view(before.user_id, now)
            return Outcome(Reply(turn.query, turn.confidence, answer), turn)
        answer, restored = await self.keeper.undo(before, now)
        return Outcome(Reply(turn.query, turn.confidence, answer),
                       replace(turn, profile=restored), undone=True)  # fmt: skip

    async def _plan(self, turn: Turn, text: str, now: datetime) -> Outcome:
        profile = turn.profile
        plan = plans.plan_from(self.kb, profile.level)
        words = self.kb.lexicon
        if plan and says_any(text, words.plan_reset + words.plan_remove):
            # "reset my plan", "remove kubernetes from my plan": only after a "yes".
            answer, action = await self.keeper.ask_plan_change(profile, plan, text)
            query = Query(turn.query.intent, plan.to_level, plan.from_level)
            return Outcome(Reply(query, turn.confidence, answer), asking(turn, action, now))
        # Only a level the message names is a target ("missing for senior"); the thread's
        # level is not.
        slots = turn.said.slots if turn.said else None
        named = None
        if slots and slots.level != profile.level and not slots.others_only:
            named = slots.level
        planned = await self.planner.reply(profile, text, named, now)
        shown = self.planner.plan_for(profile, named)
        intent = turn.query.intent
        query = Query(intent, shown.to_level, shown.from_level) if shown else Query(intent)
        reply = Reply(query, turn.confidence, planned.answer, (), planned.document, planned.items)
        return Outcome(reply, turn)

    async def run(self, user_id: int, query: Query, now: datetime) -> Reply:
        """Answer an already resolved query (a pressed button), keeping the conversation thread.
        A button that sets a level or market is the user's own statement."""
        before, _, shown = await self.storage.load_turn(user_id)
        profile = before
        spec = self.kb.intents.get(query.intent)
        states = spec.states if spec else None
        if states == "level":
            profile = replace(profile, level=query.level)
        elif states == "market":
            profile = replace(profile, market=query.market)
        context = Context(query.intent, query.level, query.from_level, query.market, None, now)
        if self._action(query.intent) == "plan":
            target = query.level if query.level != profile.level else None
            planned = await self.planner.reply(profile, query.detail or "", target, now)
            await self.storage.save(profile, context, now, Event(query.intent))
            return Reply(query, 1.0, planned.answer, (), planned.document, planned.items)
        outcome = await self._respond(Turn(query, 1.0, profile, context), now, before)
        return await self._finish(outcome, before, now, {}, shown)

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
        before: Profile,
        unanswered: str | None = None,
    ) -> Outcome:
        query, new = turn.query, turn.profile.level
        profile, promoted = await self.keeper.settle_level(before, turn.profile, now)
        turn = replace(turn, profile=profile)
        if promoted and before.level:
            answer = await self.planner.promoted(turn.profile, before.level, now)
        else:
            answer = self.compose(turn, now)
        spec = self.kb.intents.get(query.intent)
        if spec is not None and spec.states == "level" and new:
            said = turn.said
            answer = self._level_details(answer, turn, said, now)
            if said and said.slots.years is not None and not said.slots.own_title:
                turn = self._open_to_correction(turn, said.slots.years)
        return Outcome(Reply(query, turn.confidence, answer, turn.clarify), turn, unanswered)

    def _level_details(
        self, answer: Answer, turn: Turn, said: Said | None, now: datetime
    ) -> Answer:
        """A stated level's reply: time at level, and where the sources place the years."""
        level, since = turn.profile.level, turn.profile.level_since
        assert level
        blocks = list(answer.blocks)
        if since and since != now.date():
            step = self.kb.transitions.get((level, self.kb.next_level(level) or ""))
            blocks.append(
                Block("Time at level", (plans.time_at_level_line(step, since, now, level),))
            )
        choices = answer.choices
        years = said.slots.years if said else None
        if years is not None:
            _, note = readings.level_and_note_for_years(self.kb, years)
            if note is not None:
                blocks.append(Block("Where the sources differ", (Line(note.text, note.sources),)))
                others = [lv for lv in self.kb.levels if lv != level and lv in note.text]
                choices = tuple(Choice(f"I'm {lv}", f"I'm {self.kb.levels[lv].a_noun}")
                                for lv in others[:2])  # fmt: skip
        return replace(answer, blocks=tuple(blocks), choices=choices)

    def _open_to_correction(self, turn: Turn, years: float) -> Turn:
        """After years that the sources place differently, a one-word level ("staff") is a
        correction of the level just saved."""
        _, note = readings.level_and_note_for_years(self.kb, years)
        if note is None or turn.context is None:
            return turn
        pending = next(i.id for i in self.kb.intents.values() if i.states == "level")
        return replace(turn, context=replace(turn.context, pending=pending))

    async def _finish(
        self, outcome: Outcome, before: Profile, now: datetime, held: dict[str, object],
        shown: ShownPage | None = None,
    ) -> Reply:  # fmt: skip
        """Save what the turn leaves (with the page of a long answer it showed), and say what
        changed (with undo) or was held back; `shown`: the last page shown before it."""
        turn, reply = outcome.turn, outcome.reply
        event = Event(reply.query.intent, outcome.unanswered)
        state = turn.profile.nudges
        # Nudges paused by a block (Telegram's 403) resume once the user writes again.
        resume = nudges.next_slot(state, now) if state.active and state.next_due is None else None
        decision = turn.said.decision if turn.said else None
        answer = suggestions.runner_up(self.answers, reply.query, reply.answer, decision)
        answer = unsure.flagged(self.answers, reply.query, answer, decision, turn.words)
        if turn.said:
            text = turn.said.phrases.utterance.text
            answer = referrals.referred(self.kb, reply.query, text, answer)
        answer = suggestions.fit(self.answers, reply.query, answer, turn.profile)
        answer = suggestions.understood(self.answers, self.pipeline, answer, turn.profile,
                                        turn.context, now)  # fmt: skip
        page = outcome.page  # "more" showed a page already
        if page is None:
            answer, page = self.pager.shape(reply.query, answer, now, turn.words, shown)
        forgets = self._action(reply.query.intent) == "forget"
        # Asked only when forgetting: every other turn is saved, and asking costs a trip.
        if not forgets or await self.storage.known(before.user_id):
            await self.storage.save(turn.profile, turn.context, now, event, resume, page)
        updated = tuple(changed_fields(before, turn.profile))
        if updated and not outcome.undone:
            block = self.keeper.replies.saved(before, turn.profile, updated)
            answer = replace(answer, blocks=(*answer.blocks, block),
                             choices=(*answer.choices, UNDO))  # fmt: skip
        if held:
            block, offers = self.keeper.replies.held(turn.profile, held)
            answer = replace(answer, blocks=(*answer.blocks, block),
                             choices=(*answer.choices, *offers))  # fmt: skip
        waiting = turn.context.confirm if turn.context else None
        pending = changes.parse_pending(waiting)[0] if waiting else None
        return replace(reply, answer=answer, updated=updated, pending=pending,
                       background=turn.profile.background)  # fmt: skip

    def _action(self, intent: str) -> str | None:
        """The action an intent's answer is (see the registry), if it is one."""
        spec = self.kb.intents.get(intent)
        return spec.answer.name if spec and spec.answer.kind == "action" else None

    def _promoted(self, before: Profile, after: Profile) -> bool:
        """True when a stored level moved up."""
        old, new = before.level, after.level
        return bool(old and new and self.kb.levels[new].rank > self.kb.levels[old].rank)

    def compose(
        self, turn: Turn, now: datetime | None = None, words: Sequence[str] | None = None
    ) -> Answer:
        """The answer for a resolved turn (`now` relates timelines to the user's time at level;
        `words`, the question's, choose a topic's sections: the message's by default)."""
        query, profile = turn.query, turn.profile
        if turn.clarify:
            return self.replies.clarify(query, turn.clarify)
        if turn.needs_level:
            return self.replies.ask_level(query.intent)
        spec = self.kb.intents.get(query.intent)
        kind, name = (spec.answer.kind, spec.answer.name) if spec else ("builder", "")
        if kind == "reply" and name == "translator":
            return translator.answer(self.kb, turn.ladder, query.level)
        if kind == "reply":
            replies = {
                "greeting": self.replies.greeting,
                "help": self.replies.help,
                "level_set": self.replies.level_set,
                "market_set": self.replies.market_set,
                "out_of_scope": self.replies.out_of_scope,
            }
            return replies[name](profile)
        if kind == "action" and name == "nudges":
            return self.replies.nudge_status(profile.nudges)
        if kind == "action":  # plans need storage: ask() and run() answer them
            return Answer("Your plan", "Say “my plan” to see it, or use /plan.")
        slots = turn.said.slots if turn.said else None
        if slots and slots.title and not slots.own_title and name in ("salary", "level_overview"):
            # "how much does a tech lead make": the sources put the title at several levels.
            return self.answers.title_readings(slots.title, query, profile)
        return self.answers.build(query, profile, now, turn.words if words is None else words)

    def plain(self, answer: Answer) -> str:
        """An answer as plain text."""
        return render.plain(answer, self.kb.sources)

    def as_json(self, reply: Reply) -> dict[str, Any]:
        """The stable scripting shape of a reply (bot.reply.to_json)."""
        return to_json(reply, reply.document.text if reply.document else self.plain(reply.answer))
