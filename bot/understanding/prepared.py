"""A disk cache of the knowledge base's phrasings read the way messages are (start-up time).

Reading the ~5,500 example phrasings, real messages and knowledge texts takes about half a
second, a third of the bot's start-up; the result depends only on the knowledge base, on the code
that reads and on the libraries it calls, so it is kept beside the trained model, under a key
made of all three. Any change to one of them is a new key: the stale entry is never read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import sys
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path, PurePath

from bot.knowledge.model import KnowledgeBase
from bot.understanding.classifier import write_atomically
from bot.understanding.scoring import Utterance

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent.parent
# The libraries reading a phrasing calls. Of the code, the whole package is hashed: a few
# milliseconds, and no module that reading comes to import later can be forgotten here.
_LIBRARIES = ("rapidfuzz", "pyspellchecker", "pyyaml")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of the bot's source files, the Python version and the versions of the libraries
    reading calls."""
    # Reading normalises text with unicodedata, whose tables change with the Python version.
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=?\n".encode())
    return digest.hexdigest()


def kb_digest(kb: KnowledgeBase) -> str:
    """A hash of the knowledge base's content, the same in every process (sets are sorted)."""
    text = json.dumps(_plain(kb), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: object) -> object:
    """A value as JSON data whose order does not depend on the process's string hashing."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return [type(value).__name__, *(_plain(getattr(value, f.name)) for f in fields)]
    if isinstance(value, dict):
        return [[_plain(k), _plain(v)] for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_plain(v) for v in value), key=repr)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, PurePath):
        return None  # where the files were read from: the same content anywhere is one key
    if isinstance(value, re.Pattern):
        return [value.pattern, value.flags]  # its repr is cut short for a long pattern
    return repr(value)


def read_all(
    kb: KnowledgeBase,
    texts: Iterable[str],
    prepare: Callable[[str], Utterance],
    directory: Path,
) -> dict[str, Utterance]:
    """Each text read by `prepare`, from the cache in `directory` when the knowledge base, the
    code and the texts are the same; else read afresh and cached. A cache that cannot be read
    or written is logged, never fatal."""
    wanted = list(dict.fromkeys(texts))
    digest = hashlib.sha256(f"{code_digest()}\n{kb_digest(kb)}\n".encode())
    for text in wanted:
        digest.update(text.encode() + b"\0")
    path = directory / f"reads-{digest.hexdigest()[:16]}.json"
    if path.is_file():
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
            if len(rows) == len(wanted):
                return {
                    text: Utterance(text, tuple(words), tuple(masked), tuple(content))
                    for text, (words, masked, content) in zip(wanted, rows, strict=True)
                }
            log.warning("reading cache %s has %d entries, not %d: reading again",
                        path, len(rows), len(wanted))  # fmt: skip
        except (OSError, ValueError, TypeError) as exc:
            log.warning("reading cache %s unreadable (%s): reading again", path, exc)
    read = {text: prepare(text) for text in wanted}
    rows = [[u.words, u.masked, u.content] for u in read.values()]
    try:
        write_atomically(path, json.dumps(rows, ensure_ascii=False).encode())
    except OSError as exc:
        log.warning("could not cache the readings in %s: %s", path, exc)
    return read
