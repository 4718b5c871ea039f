"""The terminal client of `careerbot chat` and `careerbot ask`: it draws what `bot.front` shows as
plain text with numbered choices (or one JSON line per message in), answers a number by picking
that choice, and writes the files Telegram would send (a plan export, a pay chart) to a folder,
saying where."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from bot.answering import render
from bot.front import BadPick, Front, Option, Shown


class Terminal:
    """One terminal session over the core front end (several users in JSON mode)."""

    def __init__(
        self, front: Front, out: TextIO, clock: Callable[[], datetime], *, as_json: bool = False,
        files: Path | None = None, numbered: bool = True,
    ) -> None:  # fmt: skip
        self.front = front
        self.out = out
        self.clock = clock
        self.as_json = as_json
        self.files = files or Path.cwd()
        # `ask` has no next turn: its choices are listed with what to type, not numbered.
        self.numbered = numbered
        self.choices: dict[int, list[Option]] = {}  # per user: the choices just shown

    async def turn(self, user_id: int, text: str) -> None:
        """One message in: a number picks a choice just shown (not in JSON, whose choices carry
        their text); anything else is a message or a command."""
        offered = self.choices.get(user_id, [])
        number = text.strip()
        shown: list[Shown]
        if not self.as_json and number.isdigit() and 1 <= int(number) <= len(offered):
            option = offered[int(number) - 1]
            try:
                shown = await self.front.pick(user_id, option.kind, option.args, self.clock())
            except BadPick:
                shown = await self.front.message(user_id, option.text, self.clock())
        else:
            shown = await self.front.message(user_id, text, self.clock())
        shown = [self._saved(s) for s in shown]
        self.choices[user_id] = [o for s in shown for o in s.options()]
        if self.as_json:
            self.out.write(json.dumps(self._json(shown), ensure_ascii=False) + "\n")
        else:
            number_from = 1
            for s in shown:
                self.out.write(self._plain(s, number_from) + "\n\n")
                number_from += len(s.options())
        self.out.flush()

    def _saved(self, shown: Shown) -> Shown:
        """Write the document or picture a message carries, and say where it is."""
        reply = shown.reply
        if reply.document is not None:
            where = self._write(reply.document.filename, reply.document.text.encode("utf-8"))
            note = f"Saved as {where}."
            answer = replace(reply.answer, note=note)
            shown = replace(shown, reply=replace(reply, answer=answer, document=None))
        if shown.photo is not None:
            where = self._write(shown.photo.filename, shown.photo.data)
            answer = replace(shown.reply.answer, note=f"Saved as {where}.")
            shown = replace(shown, reply=replace(shown.reply, answer=answer), photo=None)
        return shown

    def _write(self, filename: str, data: bytes) -> str:
        self.files.mkdir(parents=True, exist_ok=True)
        path = self.files / filename
        path.write_bytes(data)
        try:
            return f"./{path.resolve().relative_to(Path.cwd().resolve())}"
        except ValueError:
            return str(path)

    def _plain(self, shown: Shown, first: int) -> str:
        """The answer without its suggestions line (they are numbered choices here), then the
        choices: a heading line (a plan item) and its options, or one row per line."""
        answer = replace(shown.answer, suggestions=())
        lines = [render.plain(answer, self.front.kb.sources)]
        n = first
        for row in shown.rows:
            if row.heading is not None:
                lines.append(f"  {row.heading.label}")
            cells = []
            for option in row.options:
                label = option.short if row.heading is not None and option.short else option.label
                if self.numbered:
                    cells.append(f"[{n}] {label}")
                else:
                    typed = "" if option.text == label else f" ({option.text})"
                    cells.append(f"› {label}{typed}")
                n += 1
            indent = "      " if row.heading is not None else "  "
            lines.append(indent + "  ".join(cells))
        return "\n".join(lines)

    def _json(self, shown: list[Shown]) -> dict[str, Any]:
        """One line for one message in, even when it brings several messages out (a level
        picked, then the market asked): their texts joined, their choices together."""
        out = self.front.as_json(shown[0])
        if len(shown) > 1:
            rest = [self.front.as_json(s) for s in shown[1:]]
            out["answer"] = "\n\n".join([out["answer"], *(r["answer"] for r in rest)])
            out["choices"] = [c for r in (out, *rest) for c in r["choices"]]
        return out
