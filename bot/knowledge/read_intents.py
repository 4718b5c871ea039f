"""Reading intents.yaml: the tuned settings, synonyms, stopwords, domain words and the intent
registry (each intent's examples, answer, slots and rules)."""

from __future__ import annotations

import string
from dataclasses import fields

from bot.domain import PROFILE_FIELDS
from bot.knowledge import registry
from bot.knowledge.model import Topic
from bot.knowledge.reader import Reader, Suppressed, top, unique
from bot.knowledge.registry import AnswerSpec, IntentSpec, MatchSettings, Policy, Rule, SlotRules
from bot.knowledge.yamlnodes import Node

# Settings that are fractions of a perfect match.
_FRACTIONS = (
    "threshold",
    "margin",
    "classifier_weight",
    "long_threshold",
    "ladder_bar",
    "statement_bar",
)
_NEGATIVE_OK = ("scope_bias", "foreign_evidence")
_INTENT_KEYS = (
    "name", "labels", "answer", "min_score", "slots", "states", "asks", "clarify", "topical",
    "follow_up", "keeps_plan_news", "dated", "company_levels", "one_level", "changes_state",
    "rewrites", "fallback", "unlikely_when",
)  # fmt: skip
# The attributes of an intent a condition may read.
_ATTRIBUTES = frozenset(f.name for f in fields(IntentSpec)) - {"examples", "answer", "slots"}
_FLAGS = (
    "asks", "clarify", "topical", "follow_up", "keeps_plan_news", "one_level", "changes_state",
    "fallback",
)  # fmt: skip


def settings(root: Node) -> MatchSettings:
    """The `matching` section: every tuned constant of understanding, each required."""
    n = root.get("matching")
    names = [f.name for f in fields(MatchSettings)]
    n.mapping(required=tuple(names))
    values: dict[str, float | int] = {}
    for f in fields(MatchSettings):
        child = n.get(f.name)
        if f.type == "int":
            values[f.name] = child.integer()
            continue
        value = child.number(minimum=-100 if f.name in _NEGATIVE_OK else 0)
        if f.name in _FRACTIONS and value > 1:
            raise child.fail(f"{f.name} is a fraction between 0 and 1")
        values[f.name] = value
    if values["beta"] < 0.1:
        raise n.get("beta").fail("must be at least 0.1")
    return MatchSettings(**values)  # type: ignore[arg-type]


def synonyms(root: Node) -> dict[str, tuple[str, ...]]:
    """canonical word -> its variants; a variant may belong to one canonical word only."""
    n = root.get("synonyms")
    n.mapping(optional=tuple(n.value) if isinstance(n.value, dict) else ())
    out: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for canon, child in n.value.items():
        variants = tuple(v.lower() for v in child.texts(max_len=60))
        for i, variant in enumerate(variants):
            if variant in owner and owner[variant] != canon:
                raise list(child.items())[i].fail(
                    f"'{variant}' is already a synonym of '{owner[variant]}'"
                )
            owner[variant] = canon
        out[canon.lower()] = variants
    return out


def _answer(r: Reader, n: Node, topics: dict[str, Topic]) -> AnswerSpec:
    n.mapping(optional=(*registry.ANSWER_KINDS, "topic"))
    # A builder may read a topic; an answer of a topic alone renders it.
    kinds = [k for k in registry.ANSWER_KINDS if k != "topic" and not n.get(k).is_null()]
    if len(kinds) > 1 or not (kinds or not n.get("topic").is_null()):
        raise n.fail(f"give one of: {', '.join(registry.ANSWER_KINDS)}")
    kind = kinds[0] if kinds else "topic"
    topic = n.get("topic").optional_text(40)
    if kind == "builder":
        name = n.get(kind).choice(frozenset(registry.BUILDERS))
        if registry.BUILDERS[name] and topic is None:
            raise n.fail(f"the builder '{name}' reads a topic: add 'topic'")
    elif kind == "topic":
        name = topic = n.get(kind).text(40)
    else:
        names = registry.REPLIES if kind == "reply" else registry.ACTIONS
        name = n.get(kind).choice(frozenset(names))
    if topic is not None and topic not in topics:
        if r.suppressed("topic", topic):
            raise Suppressed
        where = n.get(kind) if kind == "topic" else n.get("topic")
        known = ", ".join(sorted(topics)) or "none defined"
        raise where.fail(f"unknown topic '{topic}' (known: {known})")
    return AnswerSpec(kind, name, topic)


def _slots(n: Node) -> SlotRules:
    if n.is_null():
        return SlotRules()
    n.mapping(optional=("levels", "market", "needs_level", "first_person_is_own"))
    levels = n.get("levels")
    return SlotRules(
        levels="one" if levels.is_null() else levels.choice(registry.LEVEL_RULES),
        market=n.get("market").boolean(default=True),
        needs_level=n.get("needs_level").boolean(),
        first_person_is_own=n.get("first_person_is_own").boolean(),
    )


def _labels(n: Node) -> tuple[str, ...]:
    labels = () if n.is_null() else n.texts(max_len=80)
    for i, label in enumerate(labels):
        for _, slot, _, _ in string.Formatter().parse(label):
            if slot is not None and slot not in registry.LABEL_SLOTS:
                raise list(n.items())[i].fail(
                    f"unknown slot '{{{slot}}}' (known: {', '.join(registry.LABEL_SLOTS)})"
                )
    return labels


def conditions(n: Node, known: frozenset[str]) -> tuple[str, ...]:
    """A list of condition names (or one name), each known, "not " before one negates it."""
    items = [n] if isinstance(n.value, str) else list(n.items())
    out = []
    for child in items:
        text = child.text(80)
        name = text.removeprefix("not ").strip()
        if name not in known and not _attribute_condition(name):
            raise child.fail(f"unknown condition '{name}' (known: {', '.join(sorted(known))})")
        out.append(text)
    return tuple(out)


def _attribute_condition(name: str) -> bool:
    """`intent.ATTR`, `best.ATTR`, `second.ATTR`, `context.ATTR`, each maybe `=VALUE`."""
    owner, _, rest = name.partition(".")
    attribute = rest.partition("=")[0]
    return owner in ("intent", "best", "second", "context") and attribute in _ATTRIBUTES


def _choice(n: Node, default: str, options: tuple[str, ...]) -> str:
    return default if n.is_null() else n.choice(options)


def intent(r: Reader, n: Node, topics: dict[str, Topic]) -> IntentSpec:
    """One intent of the registry."""
    n.mapping(required=("id", "answer", "examples"), optional=_INTENT_KEYS)
    least = n.get("min_score").optional_number() or 0.0
    if least > 1:
        raise n.get("min_score").fail("min_score is a fraction between 0 and 1")
    ident = n.get("id").text(40)
    if not ident.isidentifier() or ident != ident.lower():
        raise n.get("id").fail("an intent id is lower-case letters, digits and '_'")
    states = n.get("states")
    rewrites = n.get("rewrites")
    unlikely = n.get("unlikely_when")
    known = frozenset(registry.CONDITIONS)
    return IntentSpec(
        id=ident,
        examples=n.get("examples").texts(allow_empty=True, max_len=300),
        answer=_answer(r, n.get("answer"), topics),
        min_score=least,
        name=n.get("name").optional_text(60),
        labels=_labels(n.get("labels")),
        slots=_slots(n.get("slots")),
        states=None if states.is_null() else states.choice(registry.STATED),
        dated=_choice(n.get("dated"), "stays", registry.DATED_RULES),
        company_levels=_choice(n.get("company_levels"), "level", registry.COMPANY_LEVEL_RULES),
        rewrites=()
        if rewrites.is_null()
        else tuple(c.choice(PROFILE_FIELDS) for c in rewrites.items()),
        unlikely_when=()
        if unlikely.is_null()
        else tuple(conditions(c, known) for c in unlikely.items()),
        **{flag: n.get(flag).boolean(default=_default(flag)) for flag in _FLAGS},
    )


def _default(flag: str) -> bool:
    return bool(getattr(IntentSpec, flag, False)) if flag != "fallback" else False


def intents(
    r: Reader, root: Node, topics: dict[str, Topic]
) -> tuple[
    dict[str, IntentSpec],
    dict[str, tuple[str, ...]],
    tuple[str, ...],
    tuple[str, ...],
    MatchSettings | None,
]:
    """Everything intents.yaml holds (a bad entry is reported and left out)."""
    top(root, "matching", "synonyms", "stopwords", "domain_words", "intents")
    built = r.each(root.get("intents").items, lambda n: (n, intent(r, n, topics)), "intent")
    unique(r, [(n.get("id"), i.id) for n, i in built], "intent")
    specs = {i.id: i for _, i in built}
    fallbacks = [i.id for i in specs.values() if i.fallback]
    if built and len(fallbacks) != 1 and not r.broken["intent"]:
        r.problems.append(
            root.get("intents")
            .fail(f"exactly one intent is the fallback ('fallback: true'), not {len(fallbacks)}")
            .problem
        )
    stop = r.guard(lambda: tuple(w.lower() for w in root.get("stopwords").texts(max_len=40))) or ()
    domain = r.guard(lambda: tuple(w.lower() for w in root.get("domain_words").texts(max_len=60)))
    words = r.guard(lambda: synonyms(root)) or {}
    return specs, words, stop, domain or (), r.guard(lambda: settings(root))


def policy(r: Reader, root: Node, intents: dict[str, IntentSpec]) -> Policy:
    """policy.yaml: each stage's rules, with known conditions, targets, confidences, effects."""
    top(root, "read", optional=registry.POLICY_STAGES[1:])
    known = frozenset(registry.CONDITIONS)
    targets = frozenset(intents) | set(registry.TARGETS)

    def rule(n: Node) -> Rule:
        n.mapping(required=("if", "then", "why"), optional=("confidence", "effect", "clarify"))
        then = n.get("then").text(40)
        if then not in targets and not r.suppressed("intent", then):
            raise n.get("then").fail(
                f"'{then}' is no intent (known: {', '.join(sorted(intents))}) and not one of: "
                f"{', '.join(registry.TARGETS)}"
            )
        effect = n.get("effect")
        cond = n.get("if")
        return Rule(
            conditions=() if isinstance(cond.value, list) and not cond.value
            else conditions(cond, known),
            then=then,
            why=n.get("why").text(400),
            confidence=_choice(n.get("confidence"), "keep", registry.CONFIDENCES),
            effect=None if effect.is_null() else effect.choice(registry.EFFECTS),
            clarify=n.get("clarify").boolean(),
        )  # fmt: skip

    stages = {}
    for stage in registry.POLICY_STAGES:
        node = root.get(stage)
        stages[stage] = () if node.is_null() else tuple(r.each(node.items, rule, "rule"))
    read = stages["read"]
    if read and read[-1].conditions:
        r.problems.append(
            root.get("read")
            .fail("the last rule of 'read' has no conditions: it decides when no other rule does")
            .problem
        )
    return Policy(stages)
