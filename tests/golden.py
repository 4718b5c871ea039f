"""The golden file: for every message of every labelled set, what the advisor made of it.

Each line records the intent, the slots, whether the bot asked "did you mean" and a hash of the
whole reply (answer text and suggestions). `tests/test_golden.py` compares the bot against it, so
any change in behaviour shows up as a diff of this file, reviewed in the commit that causes it.

Regenerate after an intended change: `python -m tests.golden --update`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli.evaluation import START, load_cases
from bot.knowledge.model import KnowledgeBase

ROOT = Path(__file__).resolve().parent
GOLDEN = ROOT / "golden" / "understanding.jsonl"
SLOTS = ("level", "from_level", "market", "background")


def labelled_sets() -> list[Path]:
    """Every labelled set in the repository, in a stable order."""
    found = [*(ROOT / "eval").glob("*.yaml"), *(ROOT / "eval").glob("real/*.yaml")]
    # The real messages the intent model learns from are labelled sets too.
    found += (ROOT.parent / "knowledge" / "messages").glob("*.yaml")
    # Collections still being gathered are not labelled sets yet.
    return sorted(p for p in found if not p.name.startswith("collected"))


def _digest(payload: dict[str, Any]) -> str:
    text = json.dumps([payload["answer"], payload["suggestions"]], ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


async def records(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """One record per labelled message, each conversation as a new user."""
    from datetime import timedelta

    from bot.advisor import Advisor
    from bot.storage.store import Storage

    storage = await Storage.open(":memory:")
    advisor = Advisor(kb, storage)
    out: list[dict[str, Any]] = []
    user = 0
    try:
        for path in labelled_sets():
            name = path.relative_to(ROOT.parent).as_posix()
            for case, turns in enumerate(load_cases(path, known=None)):
                user += 1
                for minute, turn in enumerate(turns):
                    reply = await advisor.ask(user, turn["q"], START + timedelta(minutes=minute))
                    payload = advisor.as_json(reply)
                    record: dict[str, Any] = {"set": name, "case": case, "turn": minute}
                    record["q"] = turn["q"]
                    record["intent"] = payload["intent"]
                    record.update({s: payload.get(s) for s in SLOTS if payload.get(s)})
                    if reply.clarify:
                        record["clarify"] = True
                    record["reply"] = _digest(payload)
                    out.append(record)
    finally:
        await storage.close()
    return out


def dumps(rows: list[dict[str, Any]]) -> str:
    """The golden file's text: one JSON object per line."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main(argv: list[str]) -> int:
    """`python -m tests.golden --update` rewrites the golden file; without a flag, prints it."""
    from bot.knowledge import loader

    rows = asyncio.run(records(loader.load()))
    text = dumps(rows)
    if "--update" in argv:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
        print(f"{GOLDEN}: {len(rows)} messages")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
