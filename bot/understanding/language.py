"""Text normalisation, phrase canonicalisation and typo correction against the known vocabulary."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

# Matching only looks at the start of very long messages: it keeps the work per message bounded.
MAX_CHARS = 600

_ARROWS = re.compile(r"\s*(?:->|=>|→|⟶|➡️?|➔|—>|-{2,}>)\s*")
_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc`´]")
_CLAUSE = re.compile(r"[,;:!?()\[\]]+|\.(?:\s|$)")
_DROP = re.compile(r"[^\w\s+.'£$|]")
_DOT_NOT_DECIMAL = re.compile(r"(?<!\d)\.|\.(?!\d)")
_SPACES = re.compile(r"\s+")
_PLUS_GLUE = re.compile(r"\s+\+")
_MONEY = re.compile(r"[£$]")
_REPEATS = re.compile(r"(.)\1{2,}")
_CLOCK = re.compile(r"\b(\d{1,2})[:.](\d{2})\b")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


def normalize(text: str) -> str:
    """Lower-case, strip control/format characters and punctuation, collapse spaces."""
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 4])
    # Cc/Cf/Cs/Co: controls, NUL, zero-width and bidi marks, surrogates, private use.
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    text = _ARROWS.sub(" to ", text.lower())
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
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS].rsplit(" ", 1)[0]
    return text


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Common English words (SCOWL), shipped with the package."""
    text = (resources.files("bot") / "english_words.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def tokens(text: str) -> list[str]:
    """Normalised tokens of a message ("|" marks a clause boundary)."""
    return normalize(text).split()


class PhraseMap:
    """Greedy longest-match replacement of token sequences (synonyms, aliases)."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self._map: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.longest = 1
        for variant, canonical in mapping.items():
            key = tuple(variant.split())
            if key:
                self._map[key] = tuple(canonical.split())
                self.longest = max(self.longest, len(key))

    def apply(self, words: Sequence[str]) -> list[str]:
        """Replace every known phrase by its canonical form."""
        out: list[str] = []
        i = 0
        n = len(words)
        while i < n:
            for size in range(min(self.longest, n - i), 0, -1):
                replacement = self._map.get(tuple(words[i : i + size]))
                if replacement is not None:
                    out.extend(replacement)
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return out


class Speller:
    """Corrects typos to the nearest known word (rapidfuzz ratio), cautiously for short words."""

    def __init__(
        self,
        vocabulary: Iterable[str],
        dictionary: frozenset[str] = frozenset(),
        frequency: dict[str, int] | None = None,
    ) -> None:
        """Known words; `dictionary`: real words the bot may not know (rarely corrected);
        `frequency`: how often each known word occurs, to prefer common ones on ties."""
        self.vocabulary = frozenset(vocabulary)
        self.frequency = frequency or {}
        self.dictionary = dictionary
        self._by_initial: dict[tuple[str, int], list[str]] = {}
        for word in self.vocabulary:
            if word.isalpha():
                self._by_initial.setdefault((word[0], len(word)), []).append(word)
        self.correct = lru_cache(maxsize=8192)(self._correct)

    def _correct(self, word: str) -> str:
        if word in self.vocabulary or len(word) < 3 or not word.isalpha():
            return word
        # Stretched words ("hiiii", "sooo") are the word itself.
        squeezed = _REPEATS.sub(r"\1", word)
        if squeezed in self.vocabulary:
            return squeezed
        # Plurals and simple suffixes of known words are the same word for matching purposes.
        for suffix in ("s", "es", "ing", "ed"):
            stem = word[: -len(suffix)]
            if word.endswith(suffix) and len(stem) >= 3 and stem in self.vocabulary:
                return stem
        # Edits allowed (optimal string alignment: a swap of two letters is one edit, so "frist"
        # is "first", not "florist"). Short words may only gain or lose a letter ("wat"); a
        # real English word is only a typo when a letter is missing or extra and it is long
        # enough ("manger"), never merely close ("prom" is not "promo", "forgot" not "forget").
        english = word in self.dictionary
        if english and len(word) < 5:
            return word
        edits = 1 if len(word) <= 7 or english else 2
        strict = len(word) <= 4 or english
        letters = sorted(word)
        # Typos rarely change the first letter; looking only there keeps this fast.
        candidates = [
            w
            for size in range(len(word) - edits, len(word) + edits + 1)
            for w in self._by_initial.get((word[0], size), ())
            # Strictly: a letter more or less, or two letters swapped ("knwo"), nothing else.
            if not strict or size != len(word) or sorted(w) == letters
        ]
        found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=edits, limit=8)
        if not found:
            return word
        # Among equally close words: the commoner one ("need", not "needle"), then the one
        # sharing most letters in order.
        best = min(
            found,
            key=lambda hit: (hit[1], -self.frequency.get(hit[0], 0), -fuzz.ratio(word, hit[0])),
        )
        return str(best[0])

    def known(self, word: str) -> bool:
        """True when the word is in the vocabulary."""
        return word in self.vocabulary
