"""Scoring the advisor on a labelled question set: intents, slots, out-of-scope and confusions."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.advisor import Advisor
from bot.knowledge.model import KnowledgeBase
from bot.storage.store import Storage
from bot.understanding.pipeline import Pipeline

SLOTS = ("level", "from_level", "market", "background")
# The bar a set written by this team must clear (the core issue's definition of done).
TARGETS = {
    "intent_accuracy": 0.95,
    "slot_accuracy": 0.95,
    "oos_recall": 0.90,
    "oos_precision": 0.90,
}
# The bar for sets of real people's messages (plain lists of {text, intent, ...}): the
# real-questions issue's definition of done.
REAL_TARGETS = {
    "in_scope_accuracy": 0.90,
    "answered_directly": 0.85,
    "oos_recall": 0.90,
    "oos_precision": 0.90,
}
# At most this share of messages may be answered with "did you mean".
MAX_CLARIFICATIONS = 0.05
DEFAULT_SET = Path("tests") / "eval" / "questions.yaml"
# A fixed clock: turns of a conversation are a minute apart, well inside the context window.
START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@dataclass
class Outcome:
    """One labelled message and what the advisor made of it."""

    text: str
    expected: dict[str, Any]
    predicted: dict[str, Any]
    clarified: bool

    @property
    def intent_ok(self) -> bool:
        """True when the intent is the labelled one (or one of the labelled ones)."""
        return accepts(self.expected["intent"], self.predicted["intent"])

    @property
    def main_intent(self) -> str:
        """The labelled intent (the first, when several are acceptable)."""
        expected = self.expected["intent"]
        return str(expected[0] if isinstance(expected, list) else expected)

    def slot_results(self) -> list[tuple[str, bool]]:
        """(slot, correct) for every slot the label checks."""
        return [(s, accepts(self.expected[s], self.predicted.get(s))) for s in SLOTS
                if s in self.expected]  # fmt: skip


def accepts(label: Any, value: Any) -> bool:
    """Whether `value` is the label, or one of a label's acceptable values (a list)."""
    return value in label if isinstance(label, list) else bool(label == value)


@dataclass
class Report:
    """Metrics over a whole set."""

    outcomes: list[Outcome]
    metrics: dict[str, float] = field(default_factory=dict)
    real: bool = False  # a set of real people's messages: scored against REAL_TARGETS
    fallback: str = "out_of_scope"  # the intent of messages about none of the others

    def compute(self) -> Report:
        """Fill in the summary metrics."""
        n = len(self.outcomes)
        slots = [ok for o in self.outcomes for _, ok in o.slot_results()]
        oos_true = [o for o in self.outcomes if o.main_intent == self.fallback]
        oos_pred = [o for o in self.outcomes if o.predicted["intent"] == self.fallback]
        inside = [o for o in self.outcomes if o.main_intent != self.fallback]
        self.metrics = {
            "intent_accuracy": _share(o.intent_ok for o in self.outcomes),
            "in_scope_accuracy": _share(o.intent_ok for o in inside),
            "answered_directly": _share(o.intent_ok and not o.clarified for o in inside),
            "clarifications": _share(o.clarified for o in self.outcomes) if n else 0.0,
            "slot_accuracy": _share(slots, empty=1.0),
            "oos_recall": _share((o.intent_ok for o in oos_true), empty=1.0),
            "oos_precision": _share((o.intent_ok for o in oos_pred), empty=1.0),
        }
        return self

    @property
    def targets(self) -> dict[str, float]:
        """The bars this set is held to."""
        return REAL_TARGETS if self.real else TARGETS

    def passed(self) -> bool:
        """True when every target is met."""
        ok = all(self.metrics[k] >= v for k, v in self.targets.items())
        return ok and (not self.real or self.metrics["clarifications"] <= MAX_CLARIFICATIONS)


def _share(flags: Iterable[bool], empty: float = 0.0) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else empty


def load_cases(path: Path, known: Collection[str] | None = None) -> list[list[dict[str, Any]]]:
    """Conversations (lists of labelled turns) from a YAML set; a single question is one turn.

    Two shapes are read: `{cases: [{q, intent, ...} | {turns: [...]}]}`, and a plain list of
    `{text, intent, level?, market?, background?}` where `intent` (or a slot) may be a list of
    acceptable values. An intent outside `known` (when given) is an error.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = data["cases"] if isinstance(data, dict) else data
    conversations: list[list[dict[str, Any]]] = []
    for i, case in enumerate(cases):
        turns = [dict(t) for t in case.get("turns", [case])]
        for turn in turns:
            if "q" not in turn:
                turn["q"] = turn.pop("text")
            labels = turn.get("intent")
            names = labels if isinstance(labels, list) else [labels]
            unknown = [n for n in names if known is not None and n not in known]
            if unknown:
                raise ValueError(f"{path}: case {i + 1}: unknown intent {unknown[0]!r}")
        conversations.append(turns)
    return conversations


def is_real_style(path: Path) -> bool:
    """Sets of real people's messages are plain lists of `{text, intent, ...}`."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return isinstance(data, list)


async def evaluate(
    kb: KnowledgeBase,
    conversations: list[list[dict[str, Any]]],
    real: bool = False,
    pipeline: Pipeline | None = None,
) -> Report:
    """Run every conversation as a new user against an in-memory database (`pipeline`: another
    way of understanding to measure, as benchmarks/intent_models.py does)."""
    storage = await Storage.open(":memory:")
    outcomes = []
    # Closed on any error too: an open connection's thread would keep the process alive.
    try:
        advisor = Advisor(kb, storage, pipeline=pipeline)
        for user_id, turns in enumerate(conversations, 1):
            for minute, turn in enumerate(turns):
                reply = await advisor.ask(user_id, turn["q"], START + timedelta(minutes=minute))
                predicted = advisor.as_json(reply)
                expected = {k: turn[k] for k in ("intent", *SLOTS) if k in turn}
                outcomes.append(Outcome(turn["q"], expected, predicted, bool(reply.clarify)))
    finally:
        await storage.close()
    return Report(outcomes, real=real, fallback=kb.fallback).compute()


def _per_intent(kb: KnowledgeBase, outcomes: list[Outcome]) -> list[str]:
    """Support, precision and recall of every intent of the registry. A message with several
    acceptable intents counts toward its main one's support and recall; a reading of it as any
    acceptable intent is a correct prediction of that intent."""
    out = [f"{'intent':<18}{'support':>8}{'precision':>11}{'recall':>8}"]
    for intent in kb.intents:
        support = sum(o.main_intent == intent for o in outcomes)
        predicted = [o for o in outcomes if o.predicted["intent"] == intent]
        right = sum(o.intent_ok for o in predicted)
        found = sum(o.intent_ok and o.main_intent == intent for o in outcomes)
        precision = f"{right / len(predicted):.0%}" if predicted else "-"
        recall = f"{found / support:.0%}" if support else "-"
        out.append(f"{intent:<18}{support:>8}{precision:>11}{recall:>8}")
    return out


def _slot_lines(outcomes: list[Outcome]) -> list[str]:
    out = []
    for slot in SLOTS:
        results = [ok for o in outcomes for s, ok in o.slot_results() if s == slot]
        if results:
            share = sum(results) / len(results)
            out.append(f"slot {slot:<11} {sum(results)}/{len(results)} = {share:.1%}")
    return out


def _misses(outcomes: list[Outcome]) -> list[str]:
    out = ["", "misses:"]
    for o in outcomes:
        wrong = [s for s, ok in o.slot_results() if not ok]
        if not o.intent_ok or wrong:
            got = {k: o.predicted.get(k) for k in ("intent", *SLOTS)}
            out.append(f"  {o.text!r}\n      expected {o.expected}\n      got      {got}")
    return out


def format_report(kb: KnowledgeBase, report: Report, errors: bool) -> str:
    """A printable summary: totals, per-intent precision/recall, slots, confusions."""
    outcomes = report.outcomes
    m = report.metrics
    out = [
        f"messages: {len(outcomes)}   threshold: {kb.settings.threshold:g}   "
        f"margin: {kb.settings.margin:g}",
        f"intent accuracy: {m['intent_accuracy']:.1%}   slot accuracy: {m['slot_accuracy']:.1%}",
        f"in-scope intent accuracy: {m['in_scope_accuracy']:.1%}   answered directly: "
        f"{m['answered_directly']:.1%}",
        f"out-of-scope recall: {m['oos_recall']:.1%}   precision: {m['oos_precision']:.1%}",
        f"clarifying questions asked: {sum(o.clarified for o in outcomes)} "
        f"({m['clarifications']:.1%})",
        "",
        *_per_intent(kb, outcomes),
        "",
        *_slot_lines(outcomes),
    ]
    confusions = Counter(
        (o.main_intent, o.predicted["intent"]) for o in outcomes if not o.intent_ok
    )
    if confusions:
        out += ["", "confusions (expected -> predicted):"]
        out += [f"  {e} -> {p}: {n}" for (e, p), n in confusions.most_common(15)]
    if errors:
        out += _misses(outcomes)
    verdict = "PASS" if report.passed() else "FAIL"
    targets = ", ".join(f"{k} >= {v:.0%}" for k, v in report.targets.items())
    if report.real:
        targets += f", clarifications <= {MAX_CLARIFICATIONS:.0%}"
    out += ["", f"{verdict} (targets: {targets})"]
    return "\n".join(out)


def main(kb: KnowledgeBase, file: str | None, errors: bool) -> int:
    """`careerbot eval`: print the report; exit 1 when a target is missed."""
    path = Path(file) if file else DEFAULT_SET
    if not path.is_file():
        print(f"{path}: no such labelled set (give its path: careerbot eval FILE)")
        return 2
    report = asyncio.run(evaluate(kb, load_cases(path, known=None), is_real_style(path)))
    print(format_report(kb, report, errors))
    return 0 if report.passed() else 1
