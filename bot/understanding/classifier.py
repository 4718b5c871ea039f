"""Which intent do a message's words point at, taken together? A linear model (multinomial
logistic regression) over word unigrams, word bigrams and character n-grams of the canonical,
slot-masked words (stopwords kept: see `blend.said`), learned from the intent examples and the
real-style training messages.

Nearest-example matching knows the phrasings it was given; this model generalises from all of
them at once, which is what long, situated messages need. It is trained with numpy in a few
seconds and cached on disk, keyed by a hash of everything it learns from, so a start-up loads it
in milliseconds and a changed knowledge base retrains it once.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

# Bump when the features or the training change: old caches are then ignored.
VERSION = 4
# Character n-grams of each word (with word-boundary marks) catch morphology the speller leaves
# ("interviewing", "offers"); longer ones add little and cost memory.
CHAR_NGRAMS = (3, 4)
_PLACEHOLDER = "<"
# Words whose known character n-grams are remembered (a bound, since users can type anything).
_CACHE_WORDS = 50_000


@dataclass(frozen=True)
class TrainingSettings:
    """How the model is fitted (kept small: the data are a few thousand short texts)."""

    epochs: int = 8
    batch: int = 64
    learning_rate: float = 0.5
    l2: float = 1e-5
    seed: int = 0


def features(words: Sequence[str]) -> list[str]:
    """The features of canonical words: the words, their bigrams, char n-grams."""
    out = list(words)
    out += [f"{a} {b}" for a, b in pairwise(words)]
    for word in words:
        if word.startswith(_PLACEHOLDER):
            continue
        marked = f"#{word}#"
        for n in CHAR_NGRAMS:
            out += [f"~{marked[i : i + n]}" for i in range(len(marked) - n + 1)]
    return out


class IntentClassifier:
    """P(intent | words) from a linear model; build with `train` or `load_or_train`."""

    def __init__(
        self, classes: list[str], vocabulary: dict[str, int], idf: np.ndarray, weights: np.ndarray,
        bias: np.ndarray,
    ) -> None:  # fmt: skip
        self.classes = classes
        self.vocabulary = vocabulary
        self.idf = idf
        self.weights = weights
        self.bias = bias
        self._word_cache: dict[str, tuple[int | None, tuple[int, ...]]] = {}

    # -- using it ---------------------------------------------------------------------------
    def posterior(self, words: Sequence[str]) -> dict[str, float]:
        """P(intent | words) for every intent learned (empty for no known words)."""
        p = self.probabilities(words)
        return {} if p is None else dict(zip(self.classes, p.tolist(), strict=True))

    def probabilities(self, words: Sequence[str]) -> np.ndarray | None:
        """P(intent | words) in the order of `classes`; None for no known words."""
        index, value = self._weighted(Counter(self._known_features(words)))
        if not len(index):
            return None
        z = value @ self.weights[index] + self.bias
        z -= z.max()
        p: np.ndarray = np.exp(z)
        p /= p.sum()
        return p

    def _known_features(self, words: Sequence[str]) -> list[int]:
        """The columns of `features(words)` the model knows, in the same order; each word's
        are looked up once per process, not once per message."""
        vocabulary, cache = self.vocabulary, self._word_cache
        each: list[tuple[int | None, tuple[int, ...]]] = []
        for word in words:
            known = cache.get(word)
            if known is None:
                known = (vocabulary.get(word), tuple(vocabulary[f] for f in features((word,))[1:]
                                                     if f in vocabulary))  # fmt: skip
                if len(cache) < _CACHE_WORDS:
                    cache[word] = known
            each.append(known)
        # As `features` orders them: the words, their bigrams, then each word's n-grams.
        out = [column for column, _ in each if column is not None]
        out += [
            c for c in (vocabulary.get(f"{a} {b}") for a, b in pairwise(words)) if c is not None
        ]
        for _, grams in each:
            out += grams
        return out

    def _vector(self, feats: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """A message's TF-IDF vector (sublinear counts, unit length) as (indices, values)."""
        vocabulary = self.vocabulary
        return self._weighted(Counter(vocabulary[f] for f in feats if f in vocabulary))

    def _weighted(self, counts: Counter[int]) -> tuple[np.ndarray, np.ndarray]:
        """The TF-IDF vector of column counts, as (indices, values)."""
        index = np.fromiter(counts, dtype=np.int64, count=len(counts))
        n = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        tf = (1.0 + np.log(n)).astype(np.float32)
        value = tf * self.idf[index]
        norm = float(np.linalg.norm(value)) or 1.0
        return index, value / norm

    # -- making it ----------------------------------------------------------------------------
    @classmethod
    def train(
        cls,
        examples: Sequence[tuple[str, Sequence[str]]],
        settings: TrainingSettings = TrainingSettings(),
    ) -> IntentClassifier:
        """Fit on (intent, canonical masked words) pairs with mini-batch Adagrad."""
        classes = sorted({intent for intent, _ in examples})
        rows = [features(words) for _, words in examples]
        vocabulary: dict[str, int] = {}
        for row in rows:
            for f in row:
                vocabulary.setdefault(f, len(vocabulary))
        n = len(rows)
        df = Counter(f for row in rows for f in set(row))
        idf = np.array([math.log((n + 1) / (df[f] + 1)) + 1.0 for f in vocabulary],
                       dtype=np.float32)  # fmt: skip
        model = cls(classes, vocabulary, idf, np.zeros((len(vocabulary), len(classes)),
                    dtype=np.float32), np.zeros(len(classes), dtype=np.float32))  # fmt: skip
        vectors = [model._vector(row) for row in rows]
        kept = [i for i, v in enumerate(vectors) if len(v[0])]  # an example of no known word
        target = np.array([classes.index(examples[i][0]) for i in kept])
        vectors = [vectors[i] for i in kept]
        model._fit(vectors, target, settings)
        return model

    def _fit(
        self, vectors: list[tuple[np.ndarray, np.ndarray]], target: np.ndarray,
        s: TrainingSettings,
    ) -> None:  # fmt: skip
        w, b = self.weights, self.bias
        gw, gb = np.full_like(w, 1e-8), np.full_like(b, 1e-8)
        rng = np.random.default_rng(s.seed)
        order = np.arange(len(vectors))
        for _ in range(s.epochs):
            rng.shuffle(order)
            for start in range(0, len(order), s.batch):
                chosen = order[start : start + s.batch]
                index = np.concatenate([vectors[i][0] for i in chosen])
                value = np.concatenate([vectors[i][1] for i in chosen])
                sizes = np.array([len(vectors[i][0]) for i in chosen])
                starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
                # Rows are contiguous runs: summing each run is the sparse product X @ W.
                z = np.add.reduceat(w[index] * value[:, None], starts, axis=0) + b
                z -= z.max(axis=1, keepdims=True)
                p = np.exp(z)
                p /= p.sum(axis=1, keepdims=True)
                p[np.arange(len(chosen)), target[chosen]] -= 1.0
                # X.T @ P, over the features this batch uses (sorted, then summed per feature).
                contrib = np.repeat(p, sizes, axis=0) * value[:, None]
                by_feature = np.argsort(index, kind="stable")
                used, first = np.unique(index[by_feature], return_index=True)
                grad = np.add.reduceat(contrib[by_feature], first, axis=0)
                grad += s.l2 * len(chosen) * w[used]
                grad_b = p.sum(axis=0)
                gw[used] += grad * grad
                gb += grad_b * grad_b
                w[used] -= s.learning_rate * grad / np.sqrt(gw[used])
                b -= s.learning_rate * grad_b / np.sqrt(gb)

    # -- the cache ------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the model to `path` (.npz), atomically."""
        out = io.BytesIO()
        np.savez(out, weights=self.weights, bias=self.bias, idf=self.idf,
                 meta=np.frombuffer(json.dumps([self.classes, list(self.vocabulary)]).encode(),
                                    dtype=np.uint8))  # fmt: skip
        write_atomically(path, out.getvalue())

    @classmethod
    def load(cls, path: Path) -> IntentClassifier:
        """Read a model written by `save`."""
        with np.load(path) as data:
            classes, vocab = json.loads(bytes(data["meta"]).decode())
            return cls(list(classes), {f: i for i, f in enumerate(vocab)}, data["idf"],
                       data["weights"], data["bias"])  # fmt: skip


def fingerprint(examples: Sequence[tuple[str, Sequence[str]]]) -> str:
    """A hash of everything the model learns from, and of how it learns."""
    digest = hashlib.sha256(f"v{VERSION}".encode())
    for intent, words in examples:
        digest.update(f"{intent}\t{' '.join(words)}\n".encode())
    return digest.hexdigest()[:16]


def write_atomically(path: Path, data: bytes) -> None:
    """Write a cache file whole or not at all: readers in other processes never see half of
    it. OSError if it cannot be written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def cache_dir() -> Path:
    """Where trained models are kept: $CAREERBOT_CACHE, else the user's cache directory."""
    env = os.environ.get("CAREERBOT_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "careerbot"


def load_or_train(
    examples: Sequence[tuple[str, Sequence[str]]], directory: Path | None = None
) -> IntentClassifier:
    """The model for these examples: from the cache when it is there, else trained (a few
    seconds) and cached. A cache that cannot be written is only logged."""
    path = (directory or cache_dir()) / f"intents-{fingerprint(examples)}.npz"
    if path.is_file():
        try:
            return IntentClassifier.load(path)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("intent model cache %s unreadable (%s): training again", path, exc)
    log.info("training the intent model on %d examples (cached in %s)", len(examples), path)
    model = IntentClassifier.train(examples)
    try:
        model.save(path)
    except OSError as exc:
        log.warning("could not cache the intent model in %s: %s", path, exc)
    return model
