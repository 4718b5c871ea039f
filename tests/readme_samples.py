"""The README's samples, made by the real bot. A fenced block right after `<!-- sample -->`
starts with the command it shows: `$ careerbot chat` with the lines typed as `you> ...`, or
`$ careerbot ask [--json] "QUESTION"` (a JSON answer shown through `python3 -m json.tool
--no-ensure-ascii`). Each block runs on a fresh in-memory database at a fixed time; what the
bot says replaces the block's other lines. `tests/test_readme.py` checks the README matches.

Regenerate after a change that shows in them: `python -m tests.readme_samples --update`.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import shlex
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.cli.chat import make_front
from bot.cli.terminal import Terminal
from bot.knowledge import loader
from bot.knowledge.model import KnowledgeBase
from bot.storage.store import Storage

README = Path(__file__).resolve().parent.parent / "README.md"
SAMPLE = re.compile(r"(<!-- sample -->\n```text\n)(.*?)(```)", re.DOTALL)
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PROMPT = "you> "


async def _run(kb: KnowledgeBase, command: str, typed: list[str]) -> str:
    """What the bot prints for a block's command and the lines typed."""
    words = shlex.split(command.split("|")[0])[1:]  # after "$"
    storage = await Storage.open(":memory:")
    clock = iter(START + timedelta(minutes=i) for i in range(1000))
    try:
        out = io.StringIO()
        if words[1] == "chat":
            terminal = Terminal(make_front(kb, storage), out, lambda: next(clock))
            shown = [command]
            for text in typed:
                out.seek(0)
                out.truncate()
                await terminal.turn(1, text)
                shown += [PROMPT + text, out.getvalue().rstrip("\n")]
            return "\n".join(shown) + "\n"
        as_json = "--json" in words
        question = next(w for w in words[2:] if not w.startswith("--"))
        terminal = Terminal(make_front(kb, storage), out, lambda: next(clock), as_json=as_json,
                            numbered=False)  # fmt: skip
        await terminal.turn(1, question)
        text = out.getvalue()
        if as_json and "json.tool" in command:
            text = json.dumps(json.loads(text), indent=4, ensure_ascii=False) + "\n"
        return f"{command}\n{text.rstrip()}\n"
    finally:
        await storage.close()


async def render(kb: KnowledgeBase, readme: str) -> str:
    """The README with every sample block made anew."""
    parts: list[str] = []
    end = 0
    for match in SAMPLE.finditer(readme):
        lines = match.group(2).splitlines()
        typed = [line[len(PROMPT) :] for line in lines[1:] if line.startswith(PROMPT)]
        body = await _run(kb, lines[0], typed)
        parts += [readme[end : match.start(2)], body]
        end = match.end(2)
    parts.append(readme[end:])
    return "".join(parts)


def main(argv: list[str]) -> int:
    """`python -m tests.readme_samples --update` rewrites the README's samples; without a
    flag, prints the README as it would be."""
    text = asyncio.run(render(loader.load(), README.read_text(encoding="utf-8")))
    if "--update" in argv:
        README.write_text(text, encoding="utf-8")
        print(f"{README}: {len(SAMPLE.findall(text))} samples")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
