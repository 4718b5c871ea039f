"""The decide stage: the policy (knowledge/policy.yaml) turns a message's facts into a reading.
Rules are data; this module only runs them in order and applies their named effects."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.domain import Query
from bot.knowledge.model import KnowledgeBase
from bot.knowledge.registry import Rule
from bot.understanding.conditions import Case, Facts, compiled, holds
from bot.understanding.ladders import LadderFinder, LadderMention
from bot.understanding.scoring import Candidate
from bot.understanding.slots import Extraction


@dataclass(frozen=True)
class Decision:
    """The intent a message is read as, how sure, what to ask about, and why."""

    intent: str
    confidence: float
    slots: Extraction  # the message's slots, as the rules left them
    clarify: tuple[str, ...] = ()  # two intents to ask "did you mean" about
    reasons: tuple[str, ...] = ()  # the `why` of each rule that decided or changed the reading
    candidates: tuple[Candidate, ...] = ()  # the best plausible readings, for tuning
    recognised: bool = False  # what the message names (a plan item, a company level) decided
    ladder: LadderMention | None = None  # the company level the message names, if any


def plausible(facts: Facts, ranked: list[Candidate], limit: int = 3) -> tuple[Candidate, ...]:
    """The best `limit` readings an intent's own rules do not rule out (`min_score`,
    `unlikely_when`). The policy reads the best and the runner-up and keeps three for tuning,
    so judging the rest would only cost time."""
    out: list[Candidate] = []
    for c in ranked:
        if len(out) == limit:
            break
        spec = facts.kb.intents[c.intent]
        # An intent that changes what is stored needs a clear match.
        if c.score < spec.min_score:
            continue
        if spec.unlikely_when:
            case = Case(facts, spec, c.score)
            if any(holds(conditions, case) for conditions in spec.unlikely_when):
                continue
        out.append(c)
    return tuple(out)


class Decider:
    """Runs the policy's stages over a message's facts."""

    def __init__(self, kb: KnowledgeBase, ladders: LadderFinder) -> None:
        self.kb = kb
        self.ladders = ladders
        # Each stage's rules with their conditions parsed once.
        self.stages = {
            stage: tuple((rule, compiled(rule.conditions)) for rule in rules)
            for stage, rules in kb.policy.stages.items()
        }

    def decide(self, facts: Facts, stages: tuple[str, ...]) -> Decision:
        """The reading after the given stages (of "read", "recognise", "follow")."""
        best = facts.best
        decision = Decision(
            best.intent,
            best.score,
            facts.slots,
            candidates=facts.candidates[:3],
            ladder=facts.phrases.ladder,
        )
        for stage in stages:
            decision = self.run(stage, facts, decision)
        return decision

    def run(
        self, stage: str, facts: Facts, decision: Decision, query: Query | None = None
    ) -> Decision:
        """One stage: the first rule whose conditions hold changes the decision (`query`: the
        resolved query, for the settle stage)."""
        current = self.kb.intents[decision.intent]
        case = Case(facts, current, decision.confidence, query)
        for rule, applies in self.stages.get(stage, ()):
            if applies(case):
                changed = self._apply(rule, facts, decision)
                if stage == "recognise" and changed.intent != decision.intent:
                    # Recognised by what it names: the message is no follow-up on slots.
                    facts.recognised = True
                    changed = replace(changed, recognised=True)
                facts.slots = changed.slots
                return changed
        return decision

    def _apply(self, rule: Rule, facts: Facts, decision: Decision) -> Decision:
        intent = self._target(rule.then, facts, decision)
        confidence = self._confidence(rule.confidence, facts, decision)
        clarify: tuple[str, ...] = decision.clarify if intent == decision.intent else ()
        if rule.clarify:
            clarify = (facts.best.intent, facts.second.intent)
        slots = self._effect(rule.effect, facts, intent) if rule.effect else decision.slots
        reasons = decision.reasons if rule.then == "keep" else (*decision.reasons, rule.why)
        return replace(
            decision,
            intent=intent,
            confidence=confidence,
            slots=slots,
            clarify=clarify,
            reasons=reasons,
        )

    def _target(self, then: str, facts: Facts, decision: Decision) -> str:
        if then == "best":
            return facts.best.intent
        if then == "second":
            return facts.second.intent
        if then == "keep":
            return decision.intent
        if then == "context":
            assert facts.context is not None
            return facts.context.intent
        return then

    def _confidence(self, how: str, facts: Facts, decision: Decision) -> float:
        if how == "best":
            return facts.best.score
        if how == "inverse":
            return 1.0 - facts.best.score
        if how == "statement":
            return 1.0 - facts.rest[0] / 2
        if how == "certain":
            return 1.0
        if how == "at_least_half":
            return max(decision.confidence, 0.5)
        return decision.confidence

    def _effect(self, effect: str, facts: Facts, intent: str) -> Extraction:
        slots = facts.slots
        ladder = facts.phrases.ladder
        if effect == "dated_level_is_own" and slots.level and not slots.own_level:
            # "senior since 2023": a level with a date is the speaker's own.
            return replace(slots, own_level=slots.level)
        if effect == "company_level" and ladder is not None:
            # Stated as one's own, a company level also sets the level ("I'm an L5 at Google").
            level = ladder.level
            own = level if ladder.own and level else slots.own_level
            return replace(slots, level=level or slots.level, own_level=own)
        if effect == "company_slots" and ladder is not None and ladder.level and not slots.level:
            return self._company_slots(facts, intent)
        return slots

    def _company_slots(self, facts: Facts, intent: str) -> Extraction:
        """The levels company codes stand for, as slots: two of them, for a move, are its two
        ends; otherwise the first one named counts."""
        slots, ladder = facts.slots, facts.phrases.ladder
        assert ladder is not None
        words = facts.phrases.utterance.words
        levels = [m.level for m in self.ladders.codes(words, ladder.company) if m.level]
        own = ladder.level if ladder.own else slots.own_level
        ranked = sorted(set(levels), key=lambda lv: self.kb.levels[lv].rank)
        if len(ranked) > 1 and self.kb.intents[intent].company_levels == "move":
            return replace(slots, level=ranked[-1], from_level=ranked[0], own_level=own)
        return replace(slots, level=ladder.level, own_level=own)
