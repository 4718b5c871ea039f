"""Phrases of word lists found in a message's words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


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
