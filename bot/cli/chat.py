"""`careerbot chat` and `careerbot ask`: the terminal conversation over an open database."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.advisor import Advisor
from bot.cli.terminal import Terminal
from bot.front import Front
from bot.knowledge.model import KnowledgeBase
from bot.services import Services
from bot.storage.store import Storage


def now() -> datetime:
    """The wall clock, read only by entry points."""
    return datetime.now(UTC)


async def ask_once(
    kb: KnowledgeBase, db: str, user: int, question: str, as_json: bool, out: TextIO,
    files: Path | None = None,
) -> int:  # fmt: skip
    """Answer one question (or run one command)."""
    storage = await Storage.open(db)
    try:
        terminal = Terminal(make_front(kb, storage), out, now, as_json=as_json, files=files,
                            numbered=False)  # fmt: skip
        await terminal.turn(user, question)
    finally:
        await storage.close()
    return 0


def make_front(kb: KnowledgeBase, storage: Storage) -> Front:
    """The core front end over an open database: what the terminal draws."""
    advisor = Advisor(kb, storage)
    return Front(Services(kb, storage, advisor))


def _parse_line(line: str, default_user: int) -> tuple[int, str] | str:
    """(user id, text) from a chat --json input line, or an error message."""
    stripped = line.strip()
    if not stripped.startswith("{"):
        return default_user, line.rstrip("\r\n")
    try:
        obj: Any = json.loads(stripped)
    except json.JSONDecodeError as exc:
        return f"invalid JSON: {exc.msg} at column {exc.colno}"
    if not isinstance(obj, dict):
        return "expected a JSON object"
    user, text = obj.get("user_id", default_user), obj.get("text")
    if isinstance(user, bool) or not isinstance(user, int) or user <= 0:
        return "user_id must be a positive integer"
    if not isinstance(text, str):
        return 'expected {"user_id": int, "text": str}'
    return user, text


async def chat(
    kb: KnowledgeBase, db: str, user: int, as_json: bool, inp: TextIO, out: TextIO,
    files: Path | None = None,
) -> int:  # fmt: skip
    """A terminal conversation; with --json, one JSON line out per line in, in order."""
    storage = await Storage.open(db)
    terminal = Terminal(make_front(kb, storage), out, now, as_json=as_json, files=files)
    interactive = inp.isatty() and not as_json
    try:
        if interactive:
            out.write("Career advisor for ML engineers. Ask anything, /help for commands, a "
                      "number to pick a choice; Ctrl-D to quit.\n\n")  # fmt: skip
        while True:
            if interactive:
                out.write("you> ")
                out.flush()
            line = await asyncio.to_thread(inp.readline)
            if not line:
                break
            parsed = _parse_line(line, user) if as_json else (user, line.rstrip("\r\n"))
            if isinstance(parsed, str):
                out.write(json.dumps({"error": parsed}) + "\n")
                out.flush()
                continue
            user_id, text = parsed
            if not as_json and not text.strip():
                continue
            await terminal.turn(user_id, text)
    finally:
        await storage.close()
    return 0
