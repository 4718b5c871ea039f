"""The first stage of reading a message: normalising its text into tokens."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_ARROWS = re.compile(r"\s*(?:->|=>|→|⟶|➡️?|➔|—>|-{2,}>)\s*")
_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc`´]")
_CLAUSE = re.compile(r"[,;:!?()\[\]]+|\.(?:\s|$)")
_DROP = re.compile(r"[^\w\s+.'£$|]")
_DOT_NOT_DECIMAL = re.compile(r"(?<!\d)\.|\.(?!\d)")
_SPACES = re.compile(r"\s+")
_PLUS_GLUE = re.compile(r"\s+\+")
_MONEY = re.compile(r"[£$]")
_CLOCK = re.compile(r"\b(\d{1,2})[:.](\d{2})\b")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


# A clause boundary, kept as a token: slot extraction must not read across clauses.
BOUNDARY = "|"


@dataclass(frozen=True)
class Normalised:
    """A message as written, and its normalised tokens (BOUNDARY between clauses)."""

    text: str
    tokens: tuple[str, ...]


def normalise(text: str, max_chars: int, arrow: str) -> Normalised:
    """The normalise stage: a message's first `max_chars` characters (cut at a word: the work per
    message stays bounded) and their tokens; an arrow reads as `arrow` ("mid -> senior")."""
    read = text if len(text) <= max_chars else text[:max_chars].rsplit(" ", 1)[0]
    return Normalised(read, tuple(normalize(text, max_chars, arrow).split()))


def normalize(text: str, max_chars: int | None = None, arrow: str = "to") -> str:
    """Lower-case, strip control/format characters and punctuation, collapse spaces; at most
    `max_chars` characters are kept, cut at a word; an arrow reads as `arrow`."""
    if max_chars is not None:
        text = text[: max_chars * 4]
    text = unicodedata.normalize("NFKC", text)
    # Cc/Cf/Cs/Co: controls, NUL, zero-width and bidi marks, surrogates, private use.
    if not text.isprintable():  # printable text holds none of them: skip the walk
        text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    text = _ARROWS.sub(f" {arrow} ", text.lower())
    text = _APOSTROPHES.sub("'", text)
    text = text.replace("_", " ").replace("|", " ")
    # "17:00" is a time, not a clause boundary: keep it one token ("17h00").
    text = _CLOCK.sub(r"\1h\2", text)
    text = _THOUSANDS.sub("", text)  # "£90,000" is one amount
    # Clause boundaries survive as a "|" token: slot extraction must not read across them.
    text = _CLAUSE.sub(" | ", text + " ")
    text = _DROP.sub(" ", text)
    text = _DOT_NOT_DECIMAL.sub(" ", text)
    text = _MONEY.sub(" ", text)
    text = text.replace("'", "")
    text = _PLUS_GLUE.sub("+", text)
    text = _SPACES.sub(" ", text).strip(" |")
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0]
    return text


@lru_cache(maxsize=256)  # several conditions ask it of the same message
def plain(text: str) -> str:
    """A message as its bare words, clause marks dropped ("Yes, do it!" -> "yes do it")."""
    return " ".join(normalize(text).replace(BOUNDARY, " ").split())


@lru_cache(maxsize=64)
def _plain_set(phrases: tuple[str, ...]) -> tuple[frozenset[str], int]:
    """The phrases' plain forms, and the longest message that could still be one of them."""
    plain_forms = frozenset(plain(p) for p in phrases)
    return plain_forms, 4 * max(map(len, plain_forms), default=0) + 16


def says_exactly(text: str, phrases: tuple[str, ...]) -> bool:
    """Whether the whole message is one of the phrases (exact, never fuzzy): "yes" to a
    confirmation, "more" under a long answer. A message several times longer than the longest
    phrase is none of them, whatever punctuation it carries: it is not normalised at all
    (every message is asked whether it says "more")."""
    plain_forms, longest = _plain_set(phrases)
    return len(text) <= longest and plain(text) in plain_forms


def tokens(text: str, max_chars: int | None = None) -> list[str]:
    """Normalised tokens of a message ("|" marks a clause boundary)."""
    return normalize(text, max_chars).split()
