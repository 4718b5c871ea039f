"""Typo correction against the words the bot knows (rapidfuzz), cautiously for short words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.knowledge.registry import MatchSettings
from bot.understanding.language import Normalised, tokens
from bot.understanding.phrases import PhraseMap

_REPEATS = re.compile(r"(.)\1{2,}")


@lru_cache(maxsize=2)
def dictionary(language: str, min_count: int) -> frozenset[str]:
    """Real words of a language (pyspellchecker's word frequencies, MIT-licensed), those seen
    at least `min_count` times: common words a message may use that the bot does not know."""
    from spellchecker import SpellChecker

    counts = SpellChecker(language=language, distance=1).word_frequency.dictionary
    return frozenset(w for w, n in counts.items() if n >= min_count and w.isalpha())


@dataclass(frozen=True)
class Spelled:
    """A message's words with typos corrected and synonyms made canonical."""

    text: str  # the message as read
    words: tuple[str, ...]


class Canon:
    """The spell stage: typos corrected against the known words, then synonyms replaced by their
    canonical words ("comp", "tc", "pay" -> "salary")."""

    def __init__(self, speller: Speller, synonyms: PhraseMap) -> None:
        self.speller = speller
        self.synonyms = synonyms

    def spell(self, normalised: Normalised) -> Spelled:
        """The words of a normalised message."""
        corrected = [self.speller.correct(w) for w in normalised.tokens]
        return Spelled(normalised.text, tuple(self.synonyms.apply(corrected)))

    def words(self, text: str) -> list[str]:
        """A phrase or example as canonical words, the way messages are read."""
        return self.synonyms.apply([self.speller.correct(w) for w in tokens(text)])


class Speller:
    """Corrects typos to the nearest known word (rapidfuzz ratio), cautiously for short words."""

    def __init__(
        self,
        vocabulary: Iterable[str],
        settings: MatchSettings,
        suffixes: tuple[str, ...] = (),
        dictionary: frozenset[str] = frozenset(),
        frequency: dict[str, int] | None = None,
    ) -> None:
        """Known words; `settings`: how close a typo must be; `suffixes`: endings that leave a
        known word the same word ("skills"); `dictionary`: real words the bot may not know
        (rarely corrected); `frequency`: how often each known word occurs, to prefer common
        ones on ties."""
        self.vocabulary = frozenset(vocabulary)
        self.settings = settings
        self.suffixes = suffixes
        self.frequency = frequency or {}
        self.dictionary = dictionary
        self._by_initial: dict[tuple[str, int], list[str]] = {}
        for word in self.vocabulary:
            if word.isalpha():
                self._by_initial.setdefault((word[0], len(word)), []).append(word)
        self.correct = lru_cache(maxsize=8192)(self._correct)

    def _correct(self, word: str) -> str:
        s = self.settings
        if word in self.vocabulary or len(word) < s.spell_min_length or not word.isalpha():
            return word
        # Stretched words ("hiiii", "sooo") are the word itself.
        squeezed = _REPEATS.sub(r"\1", word)
        if squeezed in self.vocabulary:
            return squeezed
        # Plurals and simple suffixes of known words are the same word for matching purposes.
        for suffix in self.suffixes:
            stem = word[: -len(suffix)]
            if (
                word.endswith(suffix)
                and len(stem) >= s.spell_min_length
                and stem in self.vocabulary
            ):
                return stem
        # Edits allowed (optimal string alignment: a swap of two letters is one edit, so "frist"
        # is "first", not "florist"). Short words may only gain or lose a letter ("wat"); a
        # real English word is only a typo when a letter is missing or extra and it is long
        # enough ("manger"), never merely close ("prom" is not "promo", "forgot" not "forget").
        english = word in self.dictionary
        if english and len(word) < s.spell_known_length:
            return word
        edits = 1 if len(word) <= s.spell_one_edit_length or english else 2
        strict = len(word) <= s.spell_strict_length or english
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
