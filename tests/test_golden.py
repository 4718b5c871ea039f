"""Behaviour pinned message by message: intent, slots and reply of every labelled message."""

from __future__ import annotations

import difflib

from bot.knowledge.model import KnowledgeBase
from tests import golden


async def test_every_labelled_message_is_understood_and_answered_as_recorded(
    kb: KnowledgeBase,
) -> None:
    now = golden.dumps(await golden.records(kb))
    recorded = golden.GOLDEN.read_text(encoding="utf-8")
    if now != recorded:
        diff = list(difflib.unified_diff(recorded.splitlines(), now.splitlines(), lineterm="", n=0))
        changed = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
        shown = "\n".join(diff[:60])
        raise AssertionError(
            f"{changed} message(s) differ from {golden.GOLDEN.name}. If the change is intended, "
            f"run `python -m tests.golden --update` and commit the diff with it.\n{shown}"
        )
