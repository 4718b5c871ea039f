"""Time to answer one question in-process, and how it grows with a 10x larger knowledge base.

Prints medians and p99s (microseconds) for: understanding alone (every stage of the pipeline, from
normalising to the resolved query), understanding + answer + rendering (the pure core), and the
full advisor turn including the SQLite round trips (in-memory database).
Run: python benchmarks/answer_latency.py [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from bot.advisor import Advisor
from bot.answering import render
from bot.cli.evaluation import load_cases
from bot.domain import Profile
from bot.knowledge import loader
from bot.knowledge.model import KnowledgeBase
from bot.storage.store import Storage
from bot.understanding.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def questions() -> list[str]:
    """Every message of the labelled sets: realistic length, typos, out-of-scope ones."""
    out = []
    for name in ("questions.yaml", "dev.yaml", "dev2.yaml"):
        path = ROOT / "tests" / "eval" / name
        if path.exists():
            out += [turn["q"] for conv in load_cases(path) for turn in conv]
    return out


def scaled_copy(factor: int, target: Path) -> Path:
    """A knowledge base with `factor` times the example phrasings, synonyms and topic items."""
    shutil.copytree(ROOT / "knowledge", target)
    intents = yaml.safe_load((target / "intents.yaml").read_text())
    for spec in intents["intents"]:
        spec["examples"] = [
            f"{e} variant{k} extra{k}word" if k else e
            for k in range(factor)
            for e in spec["examples"]
        ]
    intents["synonyms"] = {
        **intents["synonyms"],
        **{
            f"canon{k}": [f"syn{k}a", f"syn{k}b phrase"]
            for k in range(len(intents["synonyms"]) * (factor - 1))
        },
    }
    (target / "intents.yaml").write_text(yaml.safe_dump(intents, allow_unicode=True))
    topics = yaml.safe_load((target / "topics.yaml").read_text())
    for topic in topics["topics"]:
        for section in topic["sections"]:
            section["items"] = [
                {**item, "text": f"{item['text']} (copy {k})" if k else item["text"]}
                for k in range(factor)
                for item in section["items"]
            ]
    (target / "topics.yaml").write_text(yaml.safe_dump(topics, allow_unicode=True))
    return target


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure_core(
    kb: KnowledgeBase, texts: list[str], rounds: int
) -> tuple[list[float], list[float]]:
    pipeline = Pipeline(kb)
    advisor = Advisor(kb, storage=None, pipeline=pipeline)  # type: ignore[arg-type]
    profile = Profile(1, "mid", "uk")
    for text in texts:  # warm the caches a real process would have warmed
        pipeline.understand(text, profile, None, NOW)
    match_times, core_times = [], []
    for _ in range(rounds):
        for text in texts:
            t0 = time.perf_counter()
            turn = pipeline.understand(text, profile, None, NOW)
            t1 = time.perf_counter()
            if turn.query.intent != "forget":  # forgetting is storage work, timed below
                render.plain(advisor.compose(turn), kb.sources)
            t2 = time.perf_counter()
            match_times.append((t1 - t0) * 1e6)
            core_times.append((t2 - t0) * 1e6)
    return match_times, core_times


async def measure_full(kb: KnowledgeBase, texts: list[str], rounds: int) -> list[float]:
    storage = await Storage.open(":memory:")
    advisor = Advisor(kb, storage)
    times = []
    try:
        for _ in range(rounds):
            for i, text in enumerate(texts):
                t0 = time.perf_counter()
                await advisor.ask(i % 50 + 1, text, NOW)
                times.append((time.perf_counter() - t0) * 1e6)
    finally:
        await storage.close()
    return times


def report(label: str, times: list[float]) -> tuple[float, float]:
    med, p99 = statistics.median(times), percentile(times, 0.99)
    print(f"  {label:<38} median {med:8.0f} us   p99 {p99:8.0f} us   (n={len(times)})")
    return med, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = questions()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for factor in (1, 10):
            root = ROOT / "knowledge" if factor == 1 else scaled_copy(factor, Path(tmp) / "kb10")
            t0 = time.perf_counter()
            kb = loader.load(root)
            load_ms = (time.perf_counter() - t0) * 1e3
            examples = sum(len(i.examples) for i in kb.intents.values())
            print(
                f"knowledge base x{factor}: {examples} example phrasings, "
                f"loaded in {load_ms:.0f} ms"
            )
            match_times, core_times = measure_core(kb, texts, args.rounds)
            full_times = asyncio.run(measure_full(kb, texts, args.rounds))
            results[factor] = (
                report("understanding only", match_times),
                report("match + answer + render (pure core)", core_times),
                report("full turn incl. SQLite (:memory:)", full_times),
            )
    print("growth x10 knowledge base (median ratio, p99 ratio):")
    for i, label in enumerate(("understanding", "pure core", "full turn")):
        (m1, p1), (m10, p10) = results[1][i], results[10][i]
        print(f"  {label:<12} {m10 / m1:5.2f}x  {p10 / p1:5.2f}x")


if __name__ == "__main__":
    main()
