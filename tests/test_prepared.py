"""The cache of phrasings read at start-up: same readings as reading afresh, never stale."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bot.knowledge.model import KnowledgeBase
from bot.understanding.pipeline import Pipeline, knowledge_texts
from bot.understanding.prepared import kb_digest, read_all
from bot.understanding.scoring import Utterance


class Counting:
    """A pipeline's `prepare`, counting the texts it is asked to read."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.calls = 0

    def __call__(self, text: str) -> Utterance:
        self.calls += 1
        return self.pipeline.prepare(text)


def texts(kb: KnowledgeBase) -> list[str]:
    """What the pipeline reads at start-up: examples, real messages, knowledge texts."""
    examples = [t for spec in kb.intents.values() for t in spec.examples]
    return [*examples, *(m.text for m in kb.messages), *knowledge_texts(kb)]


def test_a_warm_cache_gives_exactly_what_reading_afresh_gives(
    kb: KnowledgeBase, pipeline: Pipeline, tmp_path: Path
) -> None:
    cold = Counting(pipeline)
    first = read_all(kb, texts(kb), cold, tmp_path)
    assert cold.calls == len(first) > 5000
    warm = Counting(pipeline)
    second = read_all(kb, texts(kb), warm, tmp_path)
    assert warm.calls == 0
    assert second == first == {t: pipeline.prepare(t) for t in texts(kb)}


def test_another_knowledge_base_or_other_texts_are_read_again(
    kb: KnowledgeBase, pipeline: Pipeline, tmp_path: Path
) -> None:
    read_all(kb, texts(kb), Counting(pipeline), tmp_path)
    # A setting the speller uses, a synonym: either can change how every phrasing reads.
    other_settings = replace(kb, settings=replace(kb.settings, threshold=0.99))
    other_synonyms = replace(kb, synonyms={**kb.synonyms, "salary": ["dosh"]})
    for changed in (other_settings, other_synonyms):
        counting = Counting(pipeline)
        read_all(changed, texts(kb), counting, tmp_path)
        assert counting.calls == len(set(texts(kb)))
    fewer = Counting(pipeline)
    read_all(kb, texts(kb)[1:], fewer, tmp_path)
    assert fewer.calls == len(set(texts(kb)[1:]))


def test_a_broken_cache_file_is_read_again_and_said_once(
    kb: KnowledgeBase, pipeline: Pipeline, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wanted = texts(kb)[:50]
    read_all(kb, wanted, Counting(pipeline), tmp_path)
    (cached,) = tmp_path.glob("reads-*.json")
    for broken in ('[["half', "[]", '[{"not": "a row"}]'):
        cached.write_text(broken, encoding="utf-8")
        counting = Counting(pipeline)
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            again = read_all(kb, wanted, counting, tmp_path)
        assert counting.calls == len(set(wanted))
        assert again == {t: pipeline.prepare(t) for t in wanted}
        assert [r.levelno for r in caplog.records] == [logging.WARNING]


def test_an_unwritable_cache_only_costs_time(kb: KnowledgeBase, pipeline: Pipeline) -> None:
    blocked = Path(os.devnull) / "cache"
    assert read_all(kb, ["what skills for senior"], Counting(pipeline), blocked) == {
        "what skills for senior": pipeline.prepare("what skills for senior")
    }


def test_a_long_pattern_is_part_of_the_key_whole(kb: KnowledgeBase) -> None:
    """A compiled pattern's repr is cut at 200 characters: the key must read all of it."""
    claims = kb.lexicon.statements.claims
    assert len(claims.pattern) > 200
    longer = re.compile(claims.pattern + "|zzz", claims.flags)
    statements = replace(kb.lexicon.statements, claims=longer)
    changed = replace(kb, lexicon=replace(kb.lexicon, statements=statements))
    assert kb_digest(changed) != kb_digest(kb)


def test_the_key_is_the_same_in_every_process(kb: KnowledgeBase) -> None:
    """Sets iterate in a different order under each hash seed; the key must not."""
    code = "from bot.knowledge.loader import load; from bot.understanding.prepared import "
    code += "kb_digest; print(kb_digest(load('knowledge')))"
    root = Path(__file__).resolve().parent.parent
    seen = {
        subprocess.run(
            [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2")
    }  # fmt: skip
    assert seen == {kb_digest(kb)}
