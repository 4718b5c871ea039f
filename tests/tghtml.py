"""A strict parser for Telegram's HTML parse mode, as the Bot API applies it.

Telegram rejects a message whose HTML has an unsupported tag, an unclosed or misnested tag, a bare
`<` or `&`, or an unknown named entity. `parse` returns the visible text or raises ValueError with
Telegram's wording ("Can't parse entities: ...").
"""

from __future__ import annotations

import re

ALLOWED = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "span", "blockquote", "tg-emoji",
}  # fmt: skip
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=\"[^\"]*\"|='[^']*'|=[^\s>]+)?)*)\s*>"
)
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);")


def parse(html: str) -> str:
    """Visible text of Telegram HTML; ValueError when Telegram would refuse it."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(html):
        ch = html[i]
        if ch == "<":
            m = _TAG.match(html, i)
            if not m:
                raise ValueError(f"Can't parse entities: unexpected '<' at byte offset {i}")
            closing, name = m.group(1), m.group(2).lower()
            if name not in ALLOWED:
                raise ValueError(
                    f'Can\'t parse entities: unsupported start tag "{name}" at byte offset {i}'
                )
            if closing:
                if not stack or stack[-1] != name:
                    open_tag = stack[-1] if stack else name
                    raise ValueError(f'Can\'t parse entities: unmatched end tag for "{open_tag}"')
                stack.pop()
            else:
                stack.append(name)
            i = m.end()
        elif ch == "&":
            m = _ENTITY.match(html, i)
            if not m:
                raise ValueError(f"Can't parse entities: unexpected '&' at byte offset {i}")
            body = m.group(1)
            if body.startswith("#x"):
                out.append(chr(int(body[2:], 16)))
            elif body.startswith("#"):
                out.append(chr(int(body[1:])))
            elif body in NAMED:
                out.append(NAMED[body])
            else:
                raise ValueError(f"Can't parse entities: unsupported HTML entity '&{body};'")
            i = m.end()
        elif ch == ">":
            raise ValueError(f"Can't parse entities: unexpected '>' at byte offset {i}")
        else:
            out.append(ch)
            i += 1
    if stack:
        raise ValueError(
            f"Can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2
