"""Which way of scoring intents generalises best: the candidates side by side on held-out sets.

Each candidate is the full pipeline with one scorer (knowledge/intents.yaml `classifier_weight`):
- nearest examples only (weight 0): weighted word overlap with each intent's example phrasings;
- linear model led (weight 1): logistic regression over word and character n-grams, learned
  from the examples and knowledge/messages/ (messages under `long_message` content words still
  lean on the examples in proportion, as in the blend);
- the blend the bot uses (the weight in intents.yaml).

For each it prints, on every held-out set: intent accuracy in scope, answered directly, the
share of "did you mean", out-of-scope recall and precision; then the scorer's time per message
(median and p99, microseconds) and its start-up (training, and loading the cached model).
knowledge/messages/ is training data: only sets the model never learns from are read here.
Run: python benchmarks/intent_models.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bot.cli.evaluation import evaluate, is_real_style, load_cases
from bot.knowledge import loader
from bot.knowledge.model import KnowledgeBase
from bot.understanding.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = ("tests/eval/real/real-heldout.yaml", "tests/eval/questions.yaml")
MEASURES = (
    ("in_scope_accuracy", "in scope"),
    ("answered_directly", "direct"),
    ("clarifications", "did you mean"),
    ("oos_recall", "OOS recall"),
    ("oos_precision", "OOS precision"),
)


def candidates(kb: KnowledgeBase) -> list[tuple[str, KnowledgeBase]]:
    """(name, knowledge base with that scorer's weight) for every candidate."""
    chosen = kb.settings.classifier_weight
    return [
        (name, replace(kb, settings=replace(kb.settings, classifier_weight=w)))
        for name, w in (
            ("nearest examples", 0.0),
            ("linear model led", 1.0),
            (f"blend (model {chosen:.0%})", chosen),
        )
    ]


def timing(pipeline: Pipeline, texts: list[str]) -> tuple[float, float]:
    """Median and p99 of the scoring stage alone, in microseconds."""
    phrases = [pipeline.find_phrases(pipeline.spell(pipeline.normalise(t))) for t in texts]
    times = []
    for _ in range(3):
        for p in phrases:
            start = time.perf_counter()
            pipeline.score(p)
            times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99)]


def main() -> None:
    """Print the comparison."""
    kb = loader.load()
    sets = [(name, load_cases(ROOT / name, known=None)) for name in HELD_OUT]
    texts = [turn["q"] for _, cases in sets for conv in cases for turn in conv]
    with tempfile.TemporaryDirectory() as cache:
        for name, variant in candidates(kb):
            os.environ["CAREERBOT_CACHE"] = str(Path(cache) / name.split()[0])
            start = time.perf_counter()
            Pipeline(variant)
            cold = time.perf_counter() - start
            start = time.perf_counter()
            pipeline = Pipeline(variant)
            warm = time.perf_counter() - start
            print(f"== {name}: start-up {cold:.2f} s untrained, {warm:.2f} s from the cache")
            for set_name, cases in sets:
                report = asyncio.run(
                    evaluate(variant, cases, is_real_style(ROOT / set_name), pipeline)
                )
                figures = "  ".join(f"{label} {report.metrics[m]:.1%}" for m, label in MEASURES)
                print(f"   {Path(set_name).name}: {figures}")
            median, p99 = timing(pipeline, texts)
            print(f"   scoring: median {median:.0f} µs, p99 {p99:.0f} µs per message")


if __name__ == "__main__":
    main()
