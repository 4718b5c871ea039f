"""What a message states about the speaker: claims of having or lacking something, negation,
and since when they have been at a level. Pure text rules, shared by matching and plans."""

from __future__ import annotations

import re
from datetime import date, datetime

from bot.understanding.language import normalize

_NEGATION = re.compile(
    r"\b(not|no|never|dont|don't|do not|havent|haven't|have not|cant|can't|cannot|yet to|"
    r"not yet|lack|missing|need to learn|want to learn|still learning)\b"
)
# Verbs that make a statement a claim about having, doing or lacking something.
_CLAIM = re.compile(
    r"\b(?:know|knew|learn|learned|learnt|use|used|using|did|done|do|doing|built|build|shipped|"
    r"ship|led|lead|leading|gave|give|giving|wrote|write|written|writing|set up|ran|run|running|"
    r"started|finished|completed|mentor\w*|coach\w*|present\w*|publish\w*|own|owned|owning|"
    r"have|has|had|got|can|tick\w*|check|mark|lack|missing|need|never|hold|holding|fluent|"
    r"comfortable|familiar|proficient|experienced|good at|good with|onboard\w*|hired|hiring|"
    r"interviewing|organi[sz]\w*|review\w*|speak\w*|talk\w*)\b"
)
_FOR_YEARS = re.compile(
    r"\bfor (?:about |around |almost |over )?(\d{1,2}(?:\.\d)?) ?(years?|yrs?|months?)\b"
)
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")  # fmt: skip
_DATED = re.compile(r"\b(?:since|in|from)\s+(?:[a-z]+\s+)?(?:(?:19|20)\d\d|this year|last year)\b")


def _plain(text: str) -> str:
    return normalize(text.replace("’", "'"))


def negated(text: str) -> bool:
    """True when a message says something is not, or not yet, so."""
    return bool(_NEGATION.search(_plain(text)))


def claims(text: str) -> bool:
    """True when a message says the speaker has, does or lacks something ("I know Docker", "I
    mentor two juniors", "I don't know Kubernetes")."""
    return bool(_CLAIM.search(_plain(text)))


def states_time_at_level(text: str) -> bool:
    """True for "since 2023", "in march 2024", "for 2 years": a dated statement, not "lately"."""
    lowered = text.lower()
    return bool(_DATED.search(lowered) or _FOR_YEARS.search(lowered))


def parse_since(text: str, now: datetime) -> date | None:
    """When the user reached their level: "since 2023", "since march 2024", "in 2022",
    "for 2 years", "for 18 months"."""
    lowered = text.lower()
    years_ago = _FOR_YEARS.search(lowered)
    if years_ago and re.search(r"\b(been|am|i'm|im|as)\b", lowered):
        amount = float(years_ago.group(1))
        months = int(amount * (1 if years_ago.group(2).startswith("m") else 12))
        total = now.year * 12 + now.month - 1 - months
        return date(total // 12, total % 12 + 1, 1)
    match = re.search(
        r"\b(?:since|in|from|back in)\s+(?:(" + "|".join(_MONTHS) + r"|" +
        "|".join(m[:3] for m in _MONTHS) + r")\s+)?((?:19|20)\d\d)\b", lowered,
    )  # fmt: skip
    if match:
        year = int(match.group(2))
        month = 1
        if match.group(1):
            month = next(i for i, m in enumerate(_MONTHS, 1) if m.startswith(match.group(1)))
        since = date(year, month, 1)
        return since if since <= now.date() and year >= 1970 else None
    relative = re.search(
        r"\b(?:since|in|from)\s+(?:(" + "|".join(_MONTHS) + r")\s+)?(this|last) year\b", lowered
    )
    if relative:
        year = now.year - (relative.group(2) == "last")
        month = _MONTHS.index(relative.group(1)) + 1 if relative.group(1) else 1
        since = date(year, month, 1)
        return since if since <= now.date() else None
    return None
