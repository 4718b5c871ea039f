"""Inline keyboards and their callback data (at most 64 bytes, as Telegram requires)."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.answering.answer import Answer, Choice, Suggestion
from bot.domain import Query
from bot.knowledge.model import KnowledgeBase

CALLBACK_LIMIT = 64
SEP = "|"


class BadCallback(ValueError):
    """Callback data this bot did not produce (old buttons, or tampering)."""


def encode_query(query: Query) -> str:
    """q|intent|level|from_level|market."""
    parts = ("q", query.intent, query.level or "", query.from_level or "", query.market or "")
    data = SEP.join(parts)
    if len(data.encode()) > CALLBACK_LIMIT:
        raise ValueError(f"callback data over {CALLBACK_LIMIT} bytes: {data!r}")
    return data


# The callback data of each kind of button; CallbackQueryHandler routes on these, and each
# handler checks the values against the knowledge base (old buttons, or tampering, fail there).
PATTERNS = {
    "q": re.compile(r"^q\|(\w+)\|([\w-]*)\|([\w-]*)\|([\w-]*)$"),
    "pl": re.compile(r"^pl\|([\w-]+)\|(done|doing|skip)$"),
    "lvl": re.compile(r"^lvl\|([\w-]+)$"),
    "mkt": re.compile(r"^mkt\|([\w-]+)$"),
    "nud": re.compile(r"^nud\|(weekly|daily|off|no)$"),
    "ndg": re.compile(r"^ndg\|(done|more|snooze|pause)\|([\w-]+)$"),
    "fgt": re.compile(r"^fgt\|(yes|no)$"),
    # A choice of an answer ("yes", "undo", "I'm a senior ML engineer"): its text is sent as if
    # the user had typed it.
    "say": re.compile(r"^say\|(.+)$"),
}


def known_query(args: tuple[str, ...], kb: KnowledgeBase) -> Query:
    """The Query of a `q` button's (intent, level, from_level, market); BadCallback if any is
    unknown."""
    intent, level, from_level, market = args
    if intent not in kb.intents or any(lv and lv not in kb.levels for lv in (level, from_level)):
        raise BadCallback(intent)
    if market and market not in kb.markets:
        raise BadCallback(market)
    return query_from(args)


def known_step(step_id: str, kb: KnowledgeBase) -> str:
    """A tip or plan item id a nudge button names; BadCallback if unknown."""
    if step_id in {t.id for t in kb.tips} or kb.plan_item(step_id):
        return step_id
    raise BadCallback(step_id)


NUDGE_ACTIONS = ("done", "more", "snooze", "pause")
PLAN_MARKS = ("done", "doing", "skip")


def plan_items(items: list[tuple[str, str]]) -> InlineKeyboardMarkup | None:
    """A row per open item: mark it done, in progress, or not relevant."""
    rows = []
    for item_id, name in items:
        short = name if len(name) <= 28 else name[:27] + "…"
        rows.append(
            [
                InlineKeyboardButton(f"✓ {short}", callback_data=SEP.join(("pl", item_id, "done"))),
                InlineKeyboardButton(
                    "in progress", callback_data=SEP.join(("pl", item_id, "doing"))
                ),
                InlineKeyboardButton("n/a", callback_data=SEP.join(("pl", item_id, "skip"))),
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


def nudge(tip_id: str) -> InlineKeyboardMarkup:
    """Buttons under a nudge: Done, Another tip, Snooze a day, Pause nudges."""

    def button(label: str, action: str) -> InlineKeyboardButton:
        data = SEP.join(("ndg", action, tip_id))
        if len(data.encode()) > CALLBACK_LIMIT:
            raise ValueError(f"tip id too long for a button: {tip_id!r}")
        return InlineKeyboardButton(label, callback_data=data)

    return InlineKeyboardMarkup(
        [
            [button("Done ✓", "done"), button("Another tip", "more")],
            [button("Snooze a day", "snooze"), button("Pause nudges", "pause")],
        ]
    )


def nudge_choices(offer: bool) -> InlineKeyboardMarkup:
    """Weekly / daily / off (or "No thanks" when offering them the first time)."""
    # A first offer shows the defaults; later the user's own day and time are kept.
    weekly, daily = ("Weekly (Mon 09:00)", "Daily (09:00)") if offer else ("Weekly", "Daily")
    last = ("No thanks", "no") if offer else ("Off", "off")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(weekly, callback_data=f"nud{SEP}weekly"),
                InlineKeyboardButton(daily, callback_data=f"nud{SEP}daily"),
            ],
            [InlineKeyboardButton(last[0], callback_data=f"nud{SEP}{last[1]}")],
        ]
    )


def query_from(args: tuple[str, ...]) -> Query:
    """The Query of decoded `q` callback arguments."""
    intent, level, from_level, market = args
    return Query(intent, level or None, from_level or None, market or None)


def suggestions(items: tuple[Suggestion, ...]) -> InlineKeyboardMarkup | None:
    """One button per follow-up (at most three), each on its own row: labels are sentences."""
    rows = _suggestion_rows(items)
    return InlineKeyboardMarkup(rows) if rows else None


def _suggestion_rows(items: tuple[Suggestion, ...]) -> list[list[InlineKeyboardButton]]:
    return [[InlineKeyboardButton(s.label, callback_data=encode_query(s.query))] for s in items[:3]]


def say(choice: Choice) -> InlineKeyboardButton:
    """A button that sends the choice's text as if typed."""
    data = f"say{SEP}{choice.text}"
    if len(data.encode()) > CALLBACK_LIMIT:
        raise ValueError(f"a choice's text is too long for a button: {choice.text!r}")
    return InlineKeyboardButton(choice.label, callback_data=data)


def answer_buttons(answer: Answer) -> InlineKeyboardMarkup | None:
    """An answer's choices (two to a row), then its follow-up suggestions."""
    buttons = [say(c) for c in answer.choices]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows += _suggestion_rows(answer.suggestions)
    return InlineKeyboardMarkup(rows) if rows else None


def levels(kb: KnowledgeBase) -> InlineKeyboardMarkup:
    """Level picker: every level up to the first open-ended one ("Staff+ · 8+ y")."""
    buttons = []
    for level in kb.levels.values():
        short = level.name.split()[0].rstrip("-").replace("-level", "")
        if level.years_min is None:
            label = short
        elif level.years_max is None:
            label = f"{short}+ · {level.years_min:g}+ y"
        else:
            label = f"{short} · {level.years_min:g}–{level.years_max:g} y"
        buttons.append(InlineKeyboardButton(label, callback_data=f"lvl{SEP}{level.id}"))
        if level.years_min is not None and level.years_max is None:
            break
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def markets(kb: KnowledgeBase) -> InlineKeyboardMarkup:
    """Market picker with a way to skip."""
    buttons = [
        InlineKeyboardButton(m.name, callback_data=f"mkt{SEP}{m.id}") for m in kb.covered_markets
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton("Skip", callback_data=f"mkt{SEP}skip")])
    return InlineKeyboardMarkup(rows)


def confirm_forget() -> InlineKeyboardMarkup:
    """Yes / cancel for deleting everything."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes, delete everything", callback_data=f"fgt{SEP}yes"),
                InlineKeyboardButton("Cancel", callback_data=f"fgt{SEP}no"),
            ]
        ]
    )
