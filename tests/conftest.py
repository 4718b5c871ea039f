"""Shared fixtures: the real knowledge base, its understanding pipeline, and an advisor on an
in-memory database."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.advisor import Advisor
from bot.knowledge import loader
from bot.knowledge.model import KnowledgeBase
from bot.storage.store import Storage
from bot.understanding.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The project's real knowledge base."""
    return loader.load(KNOWLEDGE)


@pytest.fixture(scope="session")
def pipeline(kb: KnowledgeBase) -> Pipeline:
    """The understanding pipeline over the real knowledge base."""
    return Pipeline(kb)


@pytest.fixture
async def storage() -> AsyncIterator[Storage]:
    """A fresh in-memory database."""
    store = await Storage.open(":memory:")
    yield store
    await store.close()


@pytest.fixture
async def advisor(kb: KnowledgeBase, pipeline: Pipeline, storage: Storage) -> Advisor:
    """An advisor on the real knowledge base and an in-memory database."""
    return Advisor(kb, storage, pipeline)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the real knowledge base, for breaking on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target
