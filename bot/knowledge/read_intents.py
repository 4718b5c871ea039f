"""Reading intents.yaml: matching settings, synonyms, stopwords, domain words and intents."""

from __future__ import annotations

from bot.knowledge.model import INTENT_NAMES, IntentSpec, MatchSettings
from bot.knowledge.reader import Reader, top, unique
from bot.knowledge.yamlnodes import Node


def intents(
    r: Reader, root: Node
) -> tuple[
    dict[str, IntentSpec],
    dict[str, tuple[str, ...]],
    tuple[str, ...],
    tuple[str, ...],
    MatchSettings | None,
]:
    top(root, "matching", "synonyms", "stopwords", "domain_words", "intents")

    def settings() -> MatchSettings:
        n = root.get("matching")
        n.mapping(
            required=(
                "threshold",
                "margin",
                "beta",
                "min_evidence",
                "unknown_evidence",
                "scope_bias",
            ),
            optional=("bayes_weight",),
        )
        threshold, margin = n.get("threshold").number(), n.get("margin").number()
        if threshold > 1 or margin > 1:
            raise n.fail("threshold and margin are fractions between 0 and 1")
        beta = n.get("beta").number(minimum=0.1)
        return MatchSettings(
            threshold,
            margin,
            beta,
            n.get("min_evidence").number(),
            n.get("unknown_evidence").number(),
            n.get("scope_bias").number(minimum=-100),
            n.get("bayes_weight").optional_number() or 0.0,
        )

    def synonyms() -> dict[str, tuple[str, ...]]:
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

    def intent(n: Node) -> tuple[Node, IntentSpec]:
        n.mapping(required=("id", "examples"), optional=("min_score",))
        least = n.get("min_score").optional_number() or 0.0
        if least > 1:
            raise n.get("min_score").fail("min_score is a fraction between 0 and 1")
        return n, IntentSpec(
            n.get("id").choice(INTENT_NAMES),
            n.get("examples").texts(allow_empty=True, max_len=300),
            least,
        )

    built = r.each(root.get("intents").items, intent, "intent")
    unique(r, [(n, i.id) for n, i in built], "intent")
    intents = {i.id: i for _, i in built}
    missing = [i for i in INTENT_NAMES if i not in intents and not r.suppressed("intent", i)]
    if missing and built:
        r.problems.append(
            root.get("intents").fail(f"missing intents: {', '.join(missing)}").problem
        )
    stop = r.guard(lambda: tuple(w.lower() for w in root.get("stopwords").texts(max_len=40))) or ()
    domain = r.guard(lambda: tuple(w.lower() for w in root.get("domain_words").texts(max_len=60)))
    return intents, r.guard(synonyms) or {}, stop, domain or (), r.guard(settings)
