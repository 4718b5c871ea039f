"""Reading knowledge/messages/*.yaml: real people's messages, rewritten and labelled, that the
intent model learns from (plain lists of `{text, intent, level?, market?, background?, source}`,
the shape of the labelled sets in tests/eval/)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from bot.knowledge.reader import Reader, Suppressed
from bot.knowledge.registry import Message
from bot.knowledge.yamlnodes import KnowledgeError, Node, load_file

DIRECTORY = "messages"
_OPTIONAL = ("level", "market", "background", "source", "note")


def messages(r: Reader, root: Path, intents: Collection[str]) -> tuple[Message, ...]:
    """Every message of every file under `root/messages/` (none when the folder is absent)."""
    out: list[Message] = []
    folder = root / DIRECTORY
    if not intents:  # the registry did not load: its problems are reported, not each label
        return ()
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        try:
            node = load_file(path)
        except KnowledgeError as exc:
            r.problems.extend(exc.problems)
            continue
        if not isinstance(node.value, list):
            r.problems.append(node.fail("expected a list of {text, intent} messages").problem)
            continue
        out += r.each(node.items, lambda n: _message(r, n, intents))
    return tuple(out)


def _message(r: Reader, n: Node, intents: Collection[str]) -> Message:
    n.mapping(required=("text", "intent"), optional=_OPTIONAL)
    said = n.get("intent")
    names = said.texts() if isinstance(said.value, list) else (said.text(),)
    for name in names:
        if name not in intents and not r.suppressed("intent", name):
            raise said.fail(f"unknown intent '{name}'")
        if name not in intents:
            raise Suppressed  # an invalid intent entry: reported once, where it is
    return Message(n.get("text").text(), names)
