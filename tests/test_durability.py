"""The inbox, the outbox and the hardened edges, through the real Application and storage:
replays, outages, late answers, unreadable updates, a full disk, privacy, the webhook server."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.knowledge.model import KnowledgeBase
from bot.storage.durable import Inbox
from bot.storage.migrations import MIGRATIONS
from bot.storage.store import MAX_UNANSWERED, Storage
from bot.tg import delivery
from bot.tg.webhook import MAX_BODY, WebhookServer
from tests import tghtml
from tests.conftest import NOW
from tests.tg_harness import Harness

USER = 5150


@pytest.fixture
async def bot(kb: KnowledgeBase, tmp_path: Path) -> Any:
    async with Harness(kb, tmp_path / "bot.sqlite3", admin_ids=frozenset({USER})) as harness:
        yield harness


def _texts(messages: list[dict[str, Any]]) -> list[str]:
    return [tghtml.parse(m["text"]) if m.get("parse_mode") == "HTML" else m["text"]
            for m in messages]  # fmt: skip


# -- the inbox and the outbox --------------------------------------------------------------------


async def test_an_update_delivered_twice_is_answered_once(bot: Harness) -> None:
    update = bot.api.message_update(USER, "what skills for senior?")
    assert len(await bot.deliver(update)) == 1
    assert await bot.deliver(update) == []  # a webhook retry, or a re-read after a restart
    assert await bot.inbox.pending_count() == 0


async def test_an_update_processed_again_never_sends_its_reply_twice(bot: Harness) -> None:
    """The process died after replying and before marking the update done: the replay
    (whatever it computes) sends nothing already sent."""
    update = bot.api.message_update(USER, "/start")
    await bot.inbox.add([(update["update_id"], USER, json.dumps(update))], bot.now)
    (row,) = await bot.inbox.pending(bot.now, 10)
    await bot.processor.process(row, durable=True)
    assert len(bot.api.sent) == 1
    await bot.processor.process(row, durable=True)  # the replay
    assert len(bot.api.sent) == 1


async def test_updates_of_one_chat_run_in_order(bot: Harness) -> None:
    sent = await bot.deliver(
        bot.api.message_update(USER, "I have 6 years of experience"),
        bot.api.message_update(USER, "how much should I earn?"),
    )
    assert "Senior ML engineer pay" in _texts(sent)[-1]


async def test_replies_wait_out_an_outage(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(delivery, "BACKOFF_START", 0.05)
    bot.api.server_errors = 6  # 502 Bad Gateway, six times in a row
    with caplog.at_level(logging.WARNING):
        sent = await bot.deliver(*(bot.api.message_update(USER + i, "what skills for senior?")
                                   for i in range(3)))  # fmt: skip
    assert len(sent) == 3 and all("Skills for a senior" in t for t in _texts(sent))
    assert any("retrying" in r.getMessage() for r in caplog.records)


async def test_a_reply_is_given_up_after_the_retry_window(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(delivery, "BACKOFF_START", 0.05)
    bot.deps.send.window = 0.3
    bot.api.server_errors = 1000
    with caplog.at_level(logging.ERROR):
        assert await bot.deliver(bot.api.message_update(USER, "what skills for senior?")) == []
    assert any("given up" in r.getMessage() for r in caplog.records)
    assert await bot.inbox.pending_count() == 0


async def test_one_unreadable_update_is_skipped_and_logged_once(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    bad = {"update_id": 900, "message": {"message_id": "x", "chat": "not a chat"}}
    good = bot.api.message_update(USER, "what skills for senior?")
    with caplog.at_level(logging.ERROR):
        sent = await bot.deliver(bad, good)
    assert len(sent) == 1
    assert sum("could not be read" in r.getMessage() for r in caplog.records) == 1
    assert await bot.inbox.pending_count() == 0


async def test_done_updates_lose_their_text_and_are_pruned(bot: Harness) -> None:
    await bot.deliver(bot.api.message_update(USER, "what skills for senior?"))
    await bot.deliver(bot.api.message_update(USER, "and for staff?"))
    rows = await bot.storage.rows("SELECT body FROM inbox")
    assert [r[0] for r in rows] == [None, None]
    assert await bot.inbox.prune(bot.now + timedelta(days=2)) == 1  # the newest id stays
    assert await bot.inbox.last_update_id() is not None


async def test_no_chat_or_user_ids_accumulate(bot: Harness) -> None:
    for i in range(30):
        await bot.deliver(bot.api.message_update(USER + i, "what skills for senior?"))
    app: Any = bot.app
    assert not app._chat_ids_to_be_updated_in_persistence
    assert not app._user_ids_to_be_updated_in_persistence
    assert not app._chat_data and not app._user_data


# -- privacy ---------------------------------------------------------------------------------------


async def test_unanswered_questions_are_capped_as_they_are_stored(storage: Storage) -> None:
    from bot.domain import Event, Profile

    for i in range(MAX_UNANSWERED + 50):
        await storage.save(Profile(1), None, NOW, Event("out_of_scope", f"question {i}"))
    rows = await storage.rows("SELECT COUNT(*) FROM unanswered")
    assert rows[0][0] == MAX_UNANSWERED


async def test_forget_leaves_nothing_readable_in_the_files(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    marker = "Zanzibarquokka"
    async with Harness(kb, db, keep_unanswered=False) as bot:
        await bot.deliver(bot.api.message_update(USER, f"I'm a senior, my name is {marker}"))
        await bot.deliver(bot.api.message_update(USER, "forget me"))
        await bot.deliver(bot.api.button_update(USER, "fgt|yes"))
        assert (await bot.storage.load(USER))[0].level is None
        for path in (db, Path(f"{db}-wal")):
            if path.exists():
                assert marker.encode() not in path.read_bytes(), path.name


async def test_stats_answer_only_in_a_private_chat(bot: Harness) -> None:
    (denied,) = await bot.deliver(bot.api.message_update(USER, "/stats", chat_id=-100,
                                                         chat_type="group"))  # fmt: skip
    assert "private chat" in _texts([denied])[0]
    (stats,) = await bot.deliver(bot.api.message_update(USER, "/stats"))
    assert "Bot statistics" in _texts([stats])[0]


async def test_a_button_acts_only_for_the_user_whose_message_it_is_under(bot: Harness) -> None:
    group = -200
    (answer,) = await bot.deliver(bot.api.message_update(USER, "/plan", chat_id=group,
                                                         chat_type="group"))  # fmt: skip
    assert answer["reply_to"] is not None  # answers in groups reply to the asker
    asker = {"message_id": answer["reply_to"], "from": {"id": USER}}
    other = await bot.deliver(bot.api.button_update(USER + 1, "lvl|senior", group, asker))
    assert other == [] and "someone else" in bot.api.callback_answers[-1]["text"]
    assert (await bot.storage.load(USER + 1))[0].level is None
    mine = await bot.deliver(bot.api.button_update(USER, "lvl|senior", group, asker))
    assert mine and (await bot.storage.load(USER))[0].level == "senior"


# -- a full disk -----------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs (root only), unmounted afterwards."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small tmpfs")
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                            capture_output=True)  # fmt: skip
    if result.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(directory: Path) -> Path:
    filler = directory / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


async def test_a_full_disk_degrades_instead_of_failing(kb: KnowledgeBase, small_disk: Path) -> None:
    async with Harness(kb, small_disk / "bot.sqlite3") as bot:
        api = bot.api
        await bot.deliver(api.message_update(USER, "I'm a junior ML engineer"))
        filler = _fill(small_disk)
        # Reading still works; a write that fails says so, and the update waits for a retry.
        api.queue(api.message_update(USER, "/profile"))
        api.queue(api.message_update(USER + 1, "I'm a senior ML engineer"))
        seen: dict[str, Any] = {}

        def progress() -> bool:
            if "freed" not in seen and len(api.sent) >= 3:
                seen["then"] = _texts(api.sent[1:3])
                seen["unconfirmed"] = api.pending_updates()
                filler.unlink()  # room again
                bot.tick(1)  # past the retry delay
                seen["freed"] = True
            return "freed" in seen and len(api.sent) >= 4 and api.pending_updates() == 0

        await bot.polling(progress)
        profile, sorry = seen["then"]
        assert "Level: junior ML engineer" in profile
        assert sorry == "I couldn't save that; try again later."
        assert seen["unconfirmed"] >= 1  # the failed one was not confirmed: it stayed at Telegram
        assert "senior" in _texts(api.sent[3:])[0].lower()
        assert (await bot.storage.load(USER + 1))[0].level == "senior"
        assert len(api.sent) == 4  # the profile was not answered twice, nor the apology


# -- the schema ------------------------------------------------------------------------------------


async def test_a_version_7_database_gains_the_inbox_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        for version, statements in enumerate(MIGRATIONS[:7], start=1):
            for statement in statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("INSERT INTO users (user_id, level, created_at, updated_at) "
                     "VALUES (1, 'mid', 0, 0)")  # fmt: skip
    storage = await Storage.open(db)
    try:
        assert await storage.schema_version() == len(MIGRATIONS)
        assert (await storage.load(1))[0].level == "mid"
        assert await Inbox(storage).pending_count() == 0
    finally:
        await storage.close()


# -- the webhook server ----------------------------------------------------------------------------


async def _request(port: int, head: bytes, body: bytes = b"", wait: float = 5.0) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head + body)
    await writer.drain()
    try:
        async with asyncio.timeout(wait):
            return await reader.read(200)
    finally:
        writer.close()


def _head(length: int, secret: str | None, path: str = "/hook") -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: x", "Content-Type: application/json",
             f"Content-Length: {length}", "Connection: close"]  # fmt: skip
    if secret is not None:
        lines.append(f"X-Telegram-Bot-Api-Secret-Token: {secret}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def test_the_webhook_checks_the_secret_before_the_body_and_caps_it(bot: Harness) -> None:
    server = WebhookServer(bot.inbox, bot.processor, "hook", "s3cret", 1000, lambda: bot.now,
                           header_timeout=0.5, body_timeout=0.5)  # fmt: skip
    port = await server.start("127.0.0.1", 0)
    try:
        update = json.dumps(bot.api.message_update(USER, "what skills for senior?")).encode()
        # No secret, or a wrong one: 403 before a byte of the (announced 90 MB) body is read.
        assert (await _request(port, _head(90 << 20, None))).startswith(b"HTTP/1.1 403")
        assert (await _request(port, _head(len(update), "nope"), update)).startswith(
            b"HTTP/1.1 403"
        )
        assert (await _request(port, _head(MAX_BODY + 1, "s3cret"))).startswith(b"HTTP/1.1 413")
        assert (await _request(port, _head(10, "s3cret", "/other"))).startswith(b"HTTP/1.1 404")
        # A slow client: the headers never finish, or the body never comes.
        assert (await _request(port, b"POST /hook HTTP/1.1\r\n")).startswith(b"HTTP/1.1 408")
        assert (await _request(port, _head(100, "s3cret"), b"{")).startswith(b"HTTP/1.1 408")
        assert await bot.inbox.pending_count() == 0
        ok = await _request(port, _head(len(update), "s3cret"), update)
        assert ok.startswith(b"HTTP/1.1 200")
        assert await bot.inbox.pending_count() == 1  # stored before the 200
    finally:
        await server.close()


async def test_identical_webhook_errors_are_logged_once_with_a_count(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    server = WebhookServer(bot.inbox, bot.processor, "hook", "s3cret", 1000, lambda: bot.now)
    port = await server.start("127.0.0.1", 0)
    with caplog.at_level(logging.ERROR):
        for _ in range(20):
            await _request(port, _head(5, "wrong"), b"{}{}{")
        await server.close()
    lines = [r.getMessage() for r in caplog.records if "403" in r.getMessage()]
    first = "webhook: 403 wrong or missing secret token"
    assert lines == [first, f"{first} (repeated 19 more times)"]
