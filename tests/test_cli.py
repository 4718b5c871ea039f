"""The command line: the JSON scripting contract, chat memory, and the installed wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

FIELDS = {"intent", "level", "from_level", "market", "background", "confidence", "answer",
          "suggestions", "choices", "updated", "pending"}  # fmt: skip


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Run `python -m bot ARGS` as a user would."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
        cwd=cwd,
    )


def _check_shape(obj: dict[str, object]) -> None:
    assert set(obj) == FIELDS
    assert isinstance(obj["intent"], str)
    for slot in ("level", "from_level", "market"):
        assert obj[slot] is None or isinstance(obj[slot], str)
    assert isinstance(obj["confidence"], float | int) and 0 <= obj["confidence"] <= 1
    assert isinstance(obj["answer"], str) and 0 < len(obj["answer"]) <= 4096
    assert isinstance(obj["suggestions"], list)
    assert all(isinstance(s, str) for s in obj["suggestions"])
    assert "<b>" not in obj["answer"]  # plain text
    assert obj["background"] is None or isinstance(obj["background"], str)
    assert isinstance(obj["updated"], list) and all(isinstance(f, str) for f in obj["updated"])
    assert obj["pending"] is None or isinstance(obj["pending"], str)
    assert isinstance(obj["choices"], list)
    assert all(set(c) == {"label", "text"} for c in obj["choices"])


def test_ask_json(tmp_path: Path) -> None:
    result = run("ask", "sr mle pay in london", "--json", "--db", str(tmp_path / "db.sqlite3"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    _check_shape(obj)
    assert (obj["intent"], obj["level"], obj["market"]) == ("salary", "senior", "uk")
    assert "£" in obj["answer"]


def test_ask_plain_text_remembers_between_runs(tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite3")
    assert run("ask", "I have 6 years of experience", "--db", db).returncode == 0
    result = run("ask", "how much should I earn?", "--db", db, "--json")
    assert json.loads(result.stdout)["level"] == "senior"
    other = run("ask", "how much should I earn?", "--db", db, "--json", "--user", "2")
    assert json.loads(other.stdout)["level"] is None


def test_chat_json_one_line_out_per_line_in(tmp_path: Path) -> None:
    lines = [
        "what skills for senior?",
        '{"user_id": 5, "text": "I have 3 years of experience"}',
        "and salary?",
        '{"user_id": 5, "text": "how much should I earn?"}',
        "",
        "{not json",
        '{"user_id": "x", "text": "hi"}',
        '["a list"]',
        '{"user_id": 5}',
        "<b>bold</b> & \u202e\x00",
        "😀",
    ]
    result = run("chat", "--json", "--db", ":memory:", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    assert (out[0]["intent"], out[0]["level"]) == ("skills", "senior")
    assert (out[1]["intent"], out[1]["level"]) == ("set_level", "mid")
    assert (out[2]["intent"], out[2]["level"]) == ("salary", "senior")  # user 1's thread
    assert (out[3]["intent"], out[3]["level"]) == ("salary", "mid")  # user 5's profile
    for i in (0, 1, 2, 3, 4, 7, 9, 10):  # a line that is not a JSON object is plain text
        _check_shape(out[i])
    assert "invalid JSON" in out[5]["error"]
    assert "user_id" in out[6]["error"]
    assert "text" in out[8]["error"]


def test_chat_json_flushes_each_reply(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--json", "--db", ":memory:"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin and proc.stdout
    try:
        for question, intent in [("hello", "greeting"), ("senior vs staff", "compare_levels")]:
            proc.stdin.write(question + "\n")
            proc.stdin.flush()
            assert json.loads(proc.stdout.readline())["intent"] == intent
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0


def test_plain_chat_and_default_database_from_environment(tmp_path: Path) -> None:
    db = tmp_path / "env.sqlite3"
    result = run(
        "chat", stdin="I'm in Toronto\nwhat skills for junior?\n", env={"CAREERBOT_DB": str(db)}
    )
    assert result.returncode == 0, result.stderr
    assert "Got it: you work in Canada." in result.stdout
    assert "Skills for a junior" in result.stdout
    assert db.exists()


def test_bare_command_starts_the_local_chat_without_a_token(tmp_path: Path) -> None:
    result = run(stdin="hi\n", env={"CAREERBOT_DB": ":memory:"})
    assert result.returncode == 0
    assert "career advisor" in result.stdout.lower()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "hi", "--user", "abc"], "expected a whole number, got 'abc'"),
        (["ask", "hi", "--user", "0"], "expected a positive number"),
        (["ask"], "the following arguments are required: question"),
        (["kb"], "required"),
    ],
)
def test_bad_arguments_say_what_is_expected(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr


def test_installed_wheel_finds_its_knowledge_from_any_directory(tmp_path: Path) -> None:
    """Build the wheel (no network: no build isolation), install it alone, run it elsewhere."""
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/_knowledge/levels.yaml" in names and "bot/_knowledge/intents.yaml" in names
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # Only the installed copy of `bot` is importable: not the source tree.
    env = {"PYTHONPATH": str(target), "CAREERBOT_DB": ":memory:", "CAREERBOT_KNOWLEDGE": ""}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import bot, sys; from bot.cli.main import main; print(bot.__file__, file=sys.stderr); "
            "sys.exit(main(['ask', 'what skills for senior', '--json']))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=elsewhere,
        env={**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, **env},
    )
    assert result.returncode == 0, result.stderr
    assert str(target) in result.stderr
    assert json.loads(result.stdout)["intent"] == "skills"


def test_knowledge_option_and_environment_point_elsewhere(kb_copy: Path) -> None:
    text = (
        (kb_copy / "levels.yaml")
        .read_text()
        .replace('name: "Senior ML engineer"', 'name: "Senior ML wizard"')
    )
    (kb_copy / "levels.yaml").write_text(text)
    by_flag = run("--knowledge", str(kb_copy), "ask", "senior skills", "--db", ":memory:")
    assert "wizard" in by_flag.stdout
    by_env = run(
        "ask", "senior skills", "--db", ":memory:", env={"CAREERBOT_KNOWLEDGE": str(kb_copy)}
    )
    assert "wizard" in by_env.stdout
