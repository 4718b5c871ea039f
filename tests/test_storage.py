"""Storage: migrations upgrade old databases in place, WAL mode, versions newer than the code."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain import Context, Event, Profile, Query, ShownPage
from bot.storage.migrations import MIGRATIONS
from bot.storage.store import Storage
from tests.conftest import NOW


async def test_new_database_is_at_the_latest_version_in_wal_mode(tmp_path: Path) -> None:
    store = await Storage.open(tmp_path / "sub" / "db.sqlite3")
    try:
        assert await store.schema_version() == len(MIGRATIONS)
    finally:
        await store.close()
    with sqlite3.connect(tmp_path / "sub" / "db.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_version_1_database_is_upgraded_without_losing_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    # A database as the first release left it: schema 1 only, with a user in it.
    with sqlite3.connect(path) as db:
        for statement in MIGRATIONS[0]:
            db.execute(statement)
        db.execute("PRAGMA user_version = 1")
        db.execute(
            "INSERT INTO users (user_id, level, market, created_at, updated_at) "
            "VALUES (42, 'senior', 'uk', 1, 1)"
        )
    store = await Storage.open(path)
    try:
        assert await store.schema_version() == len(MIGRATIONS) > 1
        profile, context = await store.load(42)
        assert profile == Profile(42, "senior", "uk")
        assert context is None
        # The upgraded database works for the new tables too.
        ctx = Context("salary", "senior", None, "uk", None, NOW)
        await store.save(profile, ctx, NOW)
        assert (await store.load(42))[1] == ctx
    finally:
        await store.close()


async def test_database_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(RuntimeError, match="newer than this program knows"):
        await Storage.open(path)


async def test_save_load_and_forget(storage: Storage) -> None:
    ctx = Context("timeline", "staff", "senior", None, None, NOW + timedelta(minutes=1))
    await storage.save(Profile(1, "senior", None), ctx, NOW)
    assert await storage.load(1) == (Profile(1, "senior", None), ctx)
    assert await storage.forget(1) is True
    assert await storage.load(1) == (Profile(1), None)
    assert await storage.forget(1) is False


async def test_a_message_reads_profile_context_and_last_page_in_one_go(storage: Storage) -> None:
    assert await storage.load_turn(4) == (Profile(4), None, None)
    await storage.save(Profile(4, "mid", "us"), None, NOW)
    assert await storage.load_turn(4) == (Profile(4, "mid", "us"), None, None)
    # The page shown is written with the rest of the message's state, in the same statement.
    shown = ShownPage(Query("skills", "senior", None, "uk"), 1, NOW, ("python", "senior"))
    ctx = Context("skills", "senior", None, "uk", None, NOW)
    await storage.save(Profile(4, "mid", "us"), ctx, NOW, Event("skills"), page=shown)
    assert await storage.load_turn(4) == (Profile(4, "mid", "us"), ctx, shown)
    # A message without a long answer leaves the last page as it was.
    await storage.save(Profile(4, "mid", "us"), ctx, NOW + timedelta(minutes=1))
    assert (await storage.load_turn(4))[2] == shown
    assert await storage.load(4) == (Profile(4, "mid", "us"), ctx)
    later = replace(shown, page=2, at=NOW + timedelta(minutes=2))
    await storage.save(Profile(4, "mid", "us"), ctx, later.at, Event("more"), page=later)
    assert (await storage.load_turn(4))[2] == later


async def test_a_message_writes_profile_counts_and_context_together(storage: Storage) -> None:
    ctx = Context("salary", "senior", None, "uk", None, NOW, "google")
    await storage.save(Profile(3, "senior", "uk"), ctx, NOW, Event("salary"))
    await storage.mark_blocked(3, NOW)
    later = NOW + timedelta(minutes=5)
    await storage.save(Profile(3, "senior", "uk"), None, later, Event("out_of_scope", "pancakes?"))
    await storage.save(Profile(3, "senior", "uk"), None, later, Event("out_of_scope", "pancakes?"))
    # Writing again clears the block mark; no context means none is kept.
    assert await storage.load(3) == (Profile(3, "senior", "uk"), None)
    assert not await storage.is_blocked(3)
    stats = await storage.stats(later)
    assert stats.questions_total == {"out_of_scope": 2, "salary": 1}
    assert stats.unanswered == [("pancakes?", 2)]
    await storage.save(Profile(3, "senior", "uk"), ctx, later)
    assert (await storage.load(3))[1] == ctx
    assert (await storage.stats(later)).questions_total["salary"] == 1


async def test_a_failed_transaction_leaves_nothing_behind(storage: Storage) -> None:
    async def two_inserts_the_second_failing() -> None:
        async with storage.transaction() as db:
            await db.execute(
                "INSERT INTO users (user_id, level, market, created_at, updated_at) "
                "VALUES (9, 'mid', NULL, 1, 1)"
            )
            await db.execute("INSERT INTO users (user_id, created_at) VALUES (9, 1)")

    with pytest.raises(sqlite3.IntegrityError):
        await two_inserts_the_second_failing()
    assert (await storage.load(9))[0] == Profile(9)
