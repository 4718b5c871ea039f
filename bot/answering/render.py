"""Rendering answers as plain text (terminal, JSON) or Telegram HTML, within Telegram's limit."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from bot.answering.answer import Answer, Block, Line
from bot.knowledge.model import Source

# Telegram's limit for one message; the plain renderer keeps to it too.
MAX_MESSAGE = 4096


def _numbering(answer: Answer) -> dict[str, int]:
    return {source: i for i, source in enumerate(answer.source_ids(), 1)}


def _refs(sources: tuple[str, ...], numbers: dict[str, int]) -> str:
    if not sources:
        return ""
    return " [" + ",".join(str(numbers[s]) for s in sources) + "]"


def _ours(line: Line, numbers: dict[str, int]) -> tuple[str, str]:
    """A line of our own as (its text, the mark that says so): a source never said it. What
    sources leave out is our reading of them, not a suggestion."""
    text = line.text.rstrip()
    text += "" if text.endswith((".", "!", "?")) else "."
    if line.absent:
        return text, "Our reading of" + _refs(line.sources, numbers) + "."
    mark = "Our suggestion" + (
        ", building on" + _refs(line.sources, numbers) if line.sources else ""
    )
    return text, mark + "."


def _bullet_plain(line: Line, numbers: dict[str, int]) -> str:
    if line.ours or line.absent:
        text, mark = _ours(line, numbers)
        return f"• {text} {mark}"
    return f"• {line.text}{_refs(line.sources, numbers)}"


def _bullet_html(line: Line, numbers: dict[str, int]) -> str:
    if line.ours or line.absent:
        text, mark = _ours(line, numbers)
        return f"• {escape(text)} <i>{escape(mark)}</i>"
    return f"• {escape(line.text)}{escape(_refs(line.sources, numbers))}"


def _fit(build: Callable[[tuple[Block, ...]], str], blocks: tuple[Block, ...], limit: int) -> str:
    """Drop bullets from the longest block (last first) until the text fits."""
    text = build(blocks)
    work = [list(b.lines) for b in blocks]
    while len(text) > limit and any(work):
        longest = max(range(len(work)), key=lambda i: len(work[i]))
        work[longest].pop()
        trimmed = tuple(Block(b.title, tuple(w)) for b, w in zip(blocks, work, strict=True) if w)
        text = build(trimmed)
    return text


def plain(answer: Answer, sources: dict[str, Source], limit: int = MAX_MESSAGE) -> str:
    """Plain text: heading, lead, bullets with [n] source marks, sources, suggestions."""
    numbers = _numbering(answer)

    def build(blocks: tuple[Block, ...]) -> str:
        used = {s for b in blocks for line in b.lines for s in line.sources}
        out = [answer.heading]
        if answer.lead:
            out.append(answer.lead)
        for block in blocks:
            if block.title:
                out.append(f"{block.title}:")
            out.extend(_bullet_plain(line, numbers) for line in block.lines)
        if answer.note:
            out.append(answer.note)
        cited = [f"[{n}] {_source_label(sources, s)}" for s, n in numbers.items() if s in used]
        if cited:
            out.append("Sources: " + "; ".join(cited))
        if answer.suggestions:
            out.append("Next you could ask: " + " · ".join(s.label for s in answer.suggestions))
        return "\n".join(out)

    text = _fit(build, answer.blocks, limit)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def html(answer: Answer, sources: dict[str, Source], limit: int = MAX_MESSAGE) -> str:
    """Telegram HTML: bold heading and block titles, bullets, every dynamic piece escaped.

    Suggestions are not in the text: Telegram shows them as buttons.
    """
    numbers = _numbering(answer)

    def build(blocks: tuple[Block, ...]) -> str:
        used = {s for b in blocks for line in b.lines for s in line.sources}
        out = [f"<b>{escape(answer.heading)}</b>"]
        if answer.lead:
            out.append(f"<i>{escape(answer.lead)}</i>")
        for block in blocks:
            out.append("")
            if block.title:
                out.append(f"<b>{escape(block.title)}</b>")
            out.extend(_bullet_html(line, numbers) for line in block.lines)
        if answer.note:
            out.extend(("", escape(answer.note)))
        cited = [
            f"[{n}] {escape(_source_label(sources, s))}" for s, n in numbers.items() if s in used
        ]
        if cited:
            out.extend(("", "<i>Sources: " + "; ".join(cited) + "</i>"))
        return "\n".join(out)

    text = _fit(build, answer.blocks, limit)
    # Cutting HTML could split a tag or an entity, which Telegram rejects: fall back to the heading.
    return text if len(text) <= limit else escape(answer.heading[: limit // 8])


def _source_label(sources: dict[str, Source], source_id: str) -> str:
    """A source's short name: the footer stays one line on a phone (/sources has the titles)."""
    source = sources.get(source_id)
    return source.short if source else source_id
