"""`careerbot run` as a real process against the fake Bot API on 127.0.0.1, and crash safety."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest

from tests.fake_telegram import TOKEN, FakeServer, FakeTelegram

USER = 555


def _wait(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def _env(db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "CAREERBOT_"))}
    env.update({"CAREERBOT_DB": str(db), "CAREERBOT_LOG_LEVEL": "DEBUG", **extra})
    return env


@pytest.fixture
def fake() -> Iterator[tuple[FakeTelegram, FakeServer]]:
    api = FakeTelegram()
    with FakeServer(api) as server:
        yield api, server


# The bot's output goes to files, not pipes: a pipe nobody reads while the bot runs can fill up
# and block the bot on a log line.
_OUTPUT: dict[int, tuple[IO[str], IO[str]]] = {}


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed by _output)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", *args], env=env, stdout=out, stderr=err, text=True
    )
    _OUTPUT[proc.pid] = (out, err)
    return proc


def _output(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """What a stopped bot printed: (stdout, stderr)."""
    proc.wait()
    texts = []
    for f in _OUTPUT.pop(proc.pid):
        f.seek(0)
        texts.append(f.read())
        f.close()
    return texts[0], texts[1]


def test_missing_token_points_to_the_local_chat(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], env=_env(tmp_path / "db.sqlite3"),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr and "careerbot chat" in result.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"CAREERBOT_ADMIN_IDS": "12,abc"}, "'abc' is not a Telegram user id"),
        ({"CAREERBOT_LOG_LEVEL": "LOUD"}, "expected one of DEBUG, INFO"),
        ({"CAREERBOT_WEBHOOK_URL": "http://insecure.example"}, "only delivers to https://"),
        ({"CAREERBOT_PORT": "99999"}, "expected a port number"),
    ],
)
def test_bad_settings_are_explained(tmp_path: Path, extra: dict[str, str], message: str) -> None:
    env = _env(tmp_path / "db.sqlite3", TELEGRAM_BOT_TOKEN=TOKEN, **extra)
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert message in result.stderr
    assert TOKEN not in result.stderr + result.stdout


def test_polling_bot_answers_and_stops_gracefully_on_sigterm(
    fake: tuple[FakeTelegram, FakeServer], tmp_path: Path
) -> None:
    api, server = fake
    db = tmp_path / "bot.sqlite3"
    env = _env(db, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url)
    proc = _start(["run"], env)
    try:
        api.queue(api.message_update(USER, "/start"))
        api.queue(api.message_update(USER, "I have 6 years of experience"))
        _wait(lambda: len(api.sent) >= 2)
        assert [c["command"] for c in api.commands][:2] == ["start", "help"]
        # A reply held up by flood control is still delivered after SIGTERM.
        api.flood, api.flood_retry_after = 1, 2
        api.queue(api.message_update(USER, "how much should I earn?"))
        _wait(lambda: any("Too Many Requests" in d for _, d in api.rejected))
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        try:
            code = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("no exit 20 s after SIGTERM; the bot logged:\n" + _output(proc)[1][-3000:])
        assert code == 0
        assert time.monotonic() - started < 10
    finally:
        if proc.poll() is None:
            proc.kill()
    out, err = _output(proc)
    assert "Senior ML engineer pay" in api.texts(USER)[-1]
    assert TOKEN not in out + err
    assert "update=" in err and f"user={USER}" in err and "latency_ms=" in err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT level FROM users WHERE user_id = ?", (USER,)).fetchone() == (
            "senior",
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_webhook_mode_checks_the_secret_and_answers(
    fake: tuple[FakeTelegram, FakeServer], tmp_path: Path
) -> None:
    api, server = fake
    port = _free_port()
    args = ["run", "--webhook-url", "https://bot.example.com/tg/hook", "--listen", "127.0.0.1",
            "--port", str(port), "--secret-token", "s3cret_token"]  # fmt: skip
    proc = _start(args, _env(tmp_path / "db.sqlite3", TELEGRAM_BOT_TOKEN=TOKEN,
                             TELEGRAM_API_BASE_URL=server.base_url))  # fmt: skip
    try:
        _wait(lambda: api.webhook is not None)
        assert api.webhook == {
            "url": "https://bot.example.com/tg/hook",
            "secret_token": "s3cret_token",
        }

        def post(secret: str) -> int:
            body = json.dumps(api.message_update(USER, "what skills for senior?")).encode()
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/tg/hook", data=body, method="POST",
                headers={"Content-Type": "application/json",
                         "X-Telegram-Bot-Api-Secret-Token": secret},
            )  # fmt: skip
            for _ in range(100):
                try:
                    with urllib.request.urlopen(request, timeout=5) as response:
                        return int(response.status)
                except urllib.error.HTTPError as exc:
                    return exc.code
                except OSError:
                    time.sleep(0.1)  # the server is still starting
            raise AssertionError("webhook server never answered")

        assert post("wrong") == 403
        assert post("s3cret_token") == 200
        _wait(lambda: len(api.sent) >= 1)
        assert "Skills for a senior" in api.texts(USER)[0]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    _, err = _output(proc)
    assert TOKEN not in err


def test_database_survives_kill_9_mid_write(tmp_path: Path) -> None:
    """Every reply the process sent is durable, and the file is never corrupt."""
    db = tmp_path / "bot.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--json", "--db", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdin and proc.stdout
    levels = ["junior", "mid", "senior", "staff"]
    # Message i comes from user i % 40 + 1 and states level i % 4: each user always states the
    # same level, so what the database holds for a user can be checked exactly.
    stop = threading.Event()

    def feed() -> None:
        i = 0
        while not stop.is_set():
            line = json.dumps({"user_id": i % 40 + 1, "text": f"I'm a {levels[i % 4]} MLE"})
            try:
                proc.stdin.write(line + "\n")  # type: ignore[union-attr]
                proc.stdin.flush()  # type: ignore[union-attr]
            except (BrokenPipeError, ValueError, OSError):
                return
            i += 1

    threading.Thread(target=feed, daemon=True).start()
    acknowledged: set[int] = set()
    replies = 0
    deadline = None
    # The window of writes starts at the first reply, whatever the start-up took.
    while deadline is None or time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        assert json.loads(line)["level"] == levels[replies % 4]
        acknowledged.add(replies % 40 + 1)
        replies += 1
        deadline = deadline or time.monotonic() + 1.5
    os.kill(proc.pid, signal.SIGKILL)
    stop.set()
    proc.wait(timeout=10)
    assert replies > 20
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = dict(conn.execute("SELECT user_id, level FROM users").fetchall())
    for user in acknowledged:
        assert stored[user] == levels[(user - 1) % 4], user
    # The database opens and migrates cleanly after the crash.
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "how much should I earn?", "--json", "--db", str(db),
         "--user", "3"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0
    assert json.loads(result.stdout)["level"] == "senior"


# -- faults: a second instance, conflicts, the webhook without a secret, bad files, a backlog ----


def test_a_second_instance_on_the_same_database_exits_with_one_line(
    fake: tuple[FakeTelegram, FakeServer], tmp_path: Path
) -> None:
    api, server = fake
    db = tmp_path / "bot.sqlite3"
    env = _env(db, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url)
    first = _start(["run"], env)
    try:
        _wait(lambda: "getUpdates" in api.calls)
        second = subprocess.run([sys.executable, "-m", "bot", "run"], env=env,
                                capture_output=True, text=True, timeout=60)  # fmt: skip
        assert second.returncode == 2
        assert second.stderr.strip().splitlines() == [
            f"careerbot: database {db}: in use by another careerbot process "
            f"(pid {first.pid}; lock file {db}.lock)"
        ]
        api.queue(api.message_update(USER, "what skills for senior?"))
        _wait(lambda: len(api.sent) == 1)
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=20) == 0
    finally:
        if first.poll() is None:
            first.kill()
    _output(first)


def test_two_processes_on_one_token_log_the_conflict_once(
    fake: tuple[FakeTelegram, FakeServer], tmp_path: Path
) -> None:
    api, server = fake
    envs = [_env(tmp_path / f"bot{i}.sqlite3", TELEGRAM_BOT_TOKEN=TOKEN,
                 TELEGRAM_API_BASE_URL=server.base_url) for i in range(2)]  # fmt: skip
    bots = [_start(["run"], env) for env in envs]
    try:
        _wait(lambda: api.conflicts >= 6)
    finally:
        for bot in bots:
            bot.send_signal(signal.SIGTERM)
    logs = [_output(bot)[1] for bot in bots]
    lines = [line for log in logs for line in log.splitlines() if "409 Conflict" in line]
    assert 1 <= len(lines) <= 2, lines  # one per process at most, not one per conflict
    assert "another process is polling with this bot token" in lines[0]
    assert "Traceback" not in "".join(logs)


def test_the_webhook_gets_a_random_secret_and_a_local_address_by_default(
    fake: tuple[FakeTelegram, FakeServer], tmp_path: Path
) -> None:
    api, server = fake
    port = _free_port()
    args = ["run", "--webhook-url", "https://bot.example.com/hook", "--port", str(port)]
    proc = _start(args, _env(tmp_path / "db.sqlite3", TELEGRAM_BOT_TOKEN=TOKEN,
                             TELEGRAM_API_BASE_URL=server.base_url))  # fmt: skip
    try:
        _wait(lambda: api.webhook is not None)
        assert api.webhook is not None
        secret = str(api.webhook["secret_token"] or "")
        assert len(secret) >= 32

        def post(secret: str | None) -> int:
            body = json.dumps(api.message_update(USER, "forget me")).encode()
            headers = {"Content-Type": "application/json"}
            if secret is not None:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            request = urllib.request.Request(f"http://127.0.0.1:{port}/hook", data=body,
                                             method="POST", headers=headers)  # fmt: skip
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    return int(response.status)
            except urllib.error.HTTPError as exc:
                return exc.code

        assert post(None) == 403  # anyone else who reaches the port is refused
        assert api.sent == []
        assert post(secret) == 200
        _wait(lambda: len(api.sent) == 1)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    _, err = _output(proc)
    assert "listening on 127.0.0.1" in err
    assert secret not in err and TOKEN not in err


def _real_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE t (x TEXT)")
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,) for _ in range(200)])
    conn.close()


def _damage(kind: str, path: Path) -> None:
    if kind == "not a database":
        path.write_text("this is a text file, not SQLite\n" * 20)
    elif kind == "truncated":
        _real_database(path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3 + 100])
    elif kind == "damaged pages":
        _real_database(path)
        data = bytearray(path.read_bytes())
        for at in range(4096 + 8, len(data), 997):  # the header page stays valid
            data[at : at + 40] = b"\xff" * 40
        path.write_bytes(bytes(data))
    elif kind == "a directory":
        path.mkdir()


@pytest.mark.parametrize("kind", ["not a database", "truncated", "damaged pages", "a directory"])
def test_a_bad_database_file_is_one_line_and_exit_2(
    fake: tuple[FakeTelegram, FakeServer], tmp_path: Path, kind: str
) -> None:
    api, server = fake
    db = tmp_path / "bot.sqlite3"
    _damage(kind, db)
    env = _env(db, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url)
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"careerbot: database {db}: "), lines
    assert api.calls == []  # checked before Telegram is contacted


def test_a_read_only_database_is_one_line_and_exit_2(
    fake: tuple[FakeTelegram, FakeServer], tmp_path: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a read-only file system")
    mount = tmp_path / "ro"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        _real_database(mount / "bot.sqlite3")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        api, server = fake
        env = _env(mount / "bot.sqlite3", TELEGRAM_BOT_TOKEN=TOKEN,
                   TELEGRAM_API_BASE_URL=server.base_url)  # fmt: skip
        result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env,
                                capture_output=True, text=True, timeout=60)  # fmt: skip
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "careerbot: database" in lines[0], lines
        assert api.calls == []
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_backlog_waits_at_telegram_and_sigterm_leaves_it_in_the_inbox(
    fake: tuple[FakeTelegram, FakeServer], tmp_path: Path
) -> None:
    api, server = fake
    db = tmp_path / "bot.sqlite3"
    env = _env(db, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url,
               CAREERBOT_MAX_PENDING="20", CAREERBOT_LOG_LEVEL="INFO")  # fmt: skip
    users = range(1000, 1200)
    for user in users:
        api.queue(api.message_update(user, "what skills for senior?"))
    proc = _start(["run"], env)
    try:
        _wait(lambda: len(api.sent) >= 30)
        # Fetching pauses above 20 waiting: most of the backlog is still at Telegram.
        assert api.pending_updates() > 100
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert proc.wait(timeout=20) == 0
        assert time.monotonic() - started < 5
    finally:
        if proc.poll() is None:
            proc.kill()
    _output(proc)
    with sqlite3.connect(db) as conn:
        waiting = conn.execute("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL").fetchone()[0]
    assert waiting + api.pending_updates() + len(api.sent) >= len(users)
    again = _start(["run"], env)
    try:
        _wait(lambda: len(api.sent) >= len(users), timeout=60)
        time.sleep(0.5)
    finally:
        again.send_signal(signal.SIGTERM)
    _output(again)
    assert sorted(m["chat_id"] for m in api.sent) == list(users)  # each answered exactly once


def test_an_unreachable_api_is_retried_then_given_up_in_a_few_lines(tmp_path: Path) -> None:
    env = _env(tmp_path / "db.sqlite3", TELEGRAM_BOT_TOKEN=TOKEN,
               TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{_free_port()}/bot",
               CAREERBOT_START_TIMEOUT="3", CAREERBOT_LOG_LEVEL="INFO")  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert 2 <= len(lines) <= 8, lines
    assert all("Traceback" not in line for line in lines)
    assert "could not reach the Bot API at 127.0.0.1:" in lines[0]
    assert "giving up" in lines[-1]
    assert TOKEN not in result.stderr and TOKEN.split(":")[1] not in result.stderr


def test_a_rejected_token_is_one_line_without_the_token(
    fake: tuple[FakeTelegram, FakeServer], tmp_path: Path
) -> None:
    _, server = fake
    wrong = "999:AAAnotherTokenThatTelegramRejects_xyz"
    env = _env(tmp_path / "db.sqlite3", TELEGRAM_BOT_TOKEN=wrong,
               TELEGRAM_API_BASE_URL=server.base_url, CAREERBOT_LOG_LEVEL="DEBUG")  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert "rejected the bot token" in result.stderr
    assert "AAAnotherToken" not in result.stderr + result.stdout


def test_a_malformed_token_is_refused_before_use(tmp_path: Path) -> None:
    env = _env(tmp_path / "db.sqlite3", TELEGRAM_BOT_TOKEN="not a token at all")
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert "not a bot token" in result.stderr and "at all" not in result.stderr
