"""The copied-sentence check: the longest run of words each knowledge text shares with the source
documents. Facts carry over from the sources; sentences must not, so a long shared run means a
sentence was copied (names of titles, courses and books listed in `quoted_names` excepted)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.model import FILES
from bot.knowledge.yamlnodes import Node, load_file

# A run this long is a copied sentence, not shared vocabulary.
MAX_RUN = 8
# Keys whose values are names, codes or references, not prose.
_NOT_PROSE = frozenset({"id", "aliases", "file", "sources", "based_on", "not_in", "codes", "level",
                        "levels", "market", "markets", "companies", "company", "currency",
                        "basis", "kind", "from", "to", "scope", "short", "examples",
                        "synonyms", "stopwords", "domain_words", "quoted_names"})  # fmt: skip
# intents.yaml holds how users phrase questions and policy.yaml how they are read, not knowledge.
_PROSE_FILES = tuple(f for f in FILES if f not in ("intents.yaml", "policy.yaml"))
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Lower-case words and numbers, punctuation and symbols dropped ("$245K" is "245k")."""
    return _WORD.findall(text.lower().replace("’", "'").replace("'", ""))


@dataclass(frozen=True)
class Text:
    """One knowledge text and where it is."""

    file: str
    line: int
    path: str
    text: str


@dataclass(frozen=True)
class Overlap:
    """The longest run of words a text shares with a document."""

    text: Text
    length: int
    run: str
    document: str


class Documents:
    """Source documents indexed by word, for finding the longest run a text shares with them."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.words: list[str | None] = []  # every document's words, None between documents
        self.names: list[str] = []  # the document each position belongs to
        for path in paths:
            doc = words(path.read_text(encoding="utf-8"))
            self.words += [*doc, None]
            self.names += [path.name] * (len(doc) + 1)
        self.positions: dict[str, list[int]] = defaultdict(list)
        for i, word in enumerate(self.words):
            if word is not None:
                self.positions[word].append(i)

    def longest_run(self, text: Sequence[str | None]) -> tuple[int, int, int]:
        """(length, start in text, start in documents) of the longest shared run of words."""
        best = (0, 0, 0)
        n = len(text)
        for i, word in enumerate(text):
            if word is None:
                continue
            for p in self.positions.get(word, ()):
                k = 1
                while i + k < n and text[i + k] is not None and text[i + k] == self.words[p + k]:
                    k += 1
                if k > best[0]:
                    best = (k, i, p)
        return best


def document_paths(targets: Iterable[Path]) -> list[Path]:
    """The documents to compare with: the `.txt` and `.md` files of each directory (a README
    that describes the folder excepted), and files named directly."""
    out: list[Path] = []
    for target in targets:
        if target.is_dir():
            out += sorted(
                p
                for p in target.iterdir()
                if p.suffix in (".txt", ".md") and p.name.lower() != "readme.md"
            )
        elif target.is_file():
            out.append(target)
    return out


def texts(directory: Path) -> Iterator[Text]:
    """Every prose text of a knowledge base directory, with its file and line."""
    for name in _PROSE_FILES:
        path = directory / name
        if path.is_file():
            yield from _strings(load_file(path, str(path)), "")


def _strings(node: Node, key: str) -> Iterator[Text]:
    if isinstance(node.value, dict):
        for child_key, child in node.value.items():
            if child_key not in _NOT_PROSE:
                yield from _strings(child, child_key)
    elif isinstance(node.value, list):
        for child in node.value:
            yield from _strings(child, key)
    elif isinstance(node.value, str):
        yield Text(node.file, node.line, node.path, node.value)


def _masked(text: str, names: Sequence[tuple[str, ...]]) -> list[str | None]:
    """The text's words with every quoted name cut out (None breaks a run)."""
    out: list[str | None] = list(words(text))
    for name in names:
        size = len(name)
        for i in range(len(out) - size + 1):
            if tuple(out[i : i + size]) == name:
                out[i : i + size] = [None] * size
    return out


def check(
    directory: Path, documents: Documents, quoted: Iterable[str], titles: Iterable[str] = ()
) -> list[Overlap]:
    """The longest run each text of the knowledge base shares with the documents, longest
    first; `quoted` and `titles` are names that may be quoted whole."""
    names = sorted({tuple(words(n)) for n in (*quoted, *titles) if words(n)}, key=len)
    names.reverse()  # longest names first, so that a long title is cut out whole
    found = []
    for text in texts(directory):
        masked = _masked(text.text, names)
        length, at, pos = documents.longest_run(masked)
        run = " ".join(w for w in masked[at : at + length] if w)
        found.append(Overlap(text, length, run, documents.names[pos] if length else ""))
    return sorted(found, key=lambda o: -o.length)
