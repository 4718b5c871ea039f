"""What a message states about the speaker: claims of having or lacking something, negation,
and since when they have been at a level. Pure text rules over the language file's words
(`statements` in knowledge/language/en.yaml), shared by reading and plans."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from bot.knowledge.lexicon import StatementWords, alternation
from bot.understanding.language import normalize

_YEAR = r"(?:19|20)\d\d"


def _plain(text: str) -> str:
    return normalize(text.replace("’", "'"))


def negated(text: str, words: StatementWords) -> bool:
    """True when a message says something is not, or not yet, so."""
    return bool(words.negation.search(_plain(text)))


def claims(text: str, words: StatementWords) -> bool:
    """True when a message says the speaker has, does or lacks something ("I know Docker", "I
    mentor two juniors", "I don't know Kubernetes")."""
    return bool(words.claims.search(_plain(text)))


@lru_cache(maxsize=16)
def _patterns(
    since: tuple[str, ...],
    months: tuple[str, ...],
    relative: tuple[str, ...],
    durations: tuple[str, ...],
    approximately: tuple[str, ...],
    units: tuple[str, ...],
) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(a dated statement, a duration, a year with its month, a relative year)."""
    since_ = alternation(since)
    month = alternation((*months, *(m[:3] for m in months)))
    relative_ = alternation(relative)
    dated = re.compile(rf"\b(?:{since_})\s+(?:[a-z]+\s+)?(?:{_YEAR}|{relative_})\b")
    about = "".join(f"{re.escape(a)} |" for a in approximately)
    duration = re.compile(
        rf"\b(?:{alternation(durations)}) (?:{about[:-1]})?(\d{{1,2}}(?:\.\d)?) ?"
        rf"({alternation(units)})\b"
    )
    year = re.compile(rf"\b(?:{since_})\s+(?:({month})\s+)?({_YEAR})\b")
    relative_year = re.compile(rf"\b(?:{since_})\s+(?:({alternation(months)})\s+)?({relative_})\b")
    return dated, duration, year, relative_year


def _compiled(
    words: StatementWords,
) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    return _patterns(
        words.since_words,
        words.months,
        tuple(words.relative_years),
        words.duration_words,
        words.approximately,
        tuple(words.duration_units),
    )


def states_time_at_level(text: str, words: StatementWords) -> bool:
    """True for "since 2023", "in march 2024", "for 2 years": a dated statement, not "lately"."""
    dated, duration, _, _ = _compiled(words)
    lowered = text.lower()
    return bool(dated.search(lowered) or duration.search(lowered))


def parse_since(text: str, now: datetime, words: StatementWords) -> date | None:
    """When the user reached their level: "since 2023", "since march 2024", "in 2022",
    "for 2 years", "for 18 months"."""
    _, duration, year, relative = _compiled(words)
    lowered = text.lower()
    being = re.compile(rf"\b(?:{alternation(words.being_words)})\b")
    ago = duration.search(lowered)
    if ago and being.search(lowered):
        months = int(float(ago.group(1)) * words.duration_units[ago.group(2)])
        total = now.year * 12 + now.month - 1 - months
        return date(total // 12, total % 12 + 1, 1)
    found = year.search(lowered)
    if found:
        since = date(int(found.group(2)), _month(words, found.group(1)), 1)
        return since if since <= now.date() and since.year >= 1970 else None
    found = relative.search(lowered)
    if found:
        years_ago = int(words.relative_years[found.group(2)])
        since = date(now.year - years_ago, _month(words, found.group(1)), 1)
        return since if since <= now.date() else None
    return None


def _month(words: StatementWords, named: str | None) -> int:
    """The month a name or its first three letters stands for (January without one)."""
    if not named:
        return 1
    return next(i for i, m in enumerate(words.months, 1) if m.startswith(named))
