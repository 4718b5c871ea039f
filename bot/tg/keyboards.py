"""Inline keyboards from the options `bot.front` shows, and their callback data ("kind|arg|...",
at most 64 bytes, as Telegram requires)."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.front import Option, Row

CALLBACK_LIMIT = 64
SEP = "|"

# The callback data of each kind of option; a CallbackQueryHandler routes on these, and
# `Front.pick` checks the values against the knowledge base (old buttons, or tampering, fail
# there).
PATTERNS = {
    "q": re.compile(r"^q\|(\w+)\|([\w-]*)\|([\w-]*)\|([\w-]*)$"),
    "pl": re.compile(r"^pl\|([\w-]+)\|(done|doing|skip|todo)$"),
    "plp": re.compile(r"^plp\|([\w-]+)\|(\d{1,3})$"),
    "pli": re.compile(r"^pli\|([\w-]+)$"),
    "lvl": re.compile(r"^lvl\|([\w-]+)$"),
    "mkt": re.compile(r"^mkt\|([\w-]+)$"),
    "nud": re.compile(r"^nud\|(weekly|daily|off|no)$"),
    "ndg": re.compile(r"^ndg\|(done|more|snooze|pause)\|([\w-]+)$"),
    "fgt": re.compile(r"^fgt\|(yes|no)$"),
    "chart": re.compile(r"^chart\|([\w-]+)\|([\w-]+)$"),
    # A choice of an answer ("yes", "undo", "I'm a senior ML engineer"): its text is sent as if
    # the user had typed it.
    "say": re.compile(r"^say\|(.+)$"),
}


class BadCallback(ValueError):
    """Callback data this bot did not produce (old buttons, or tampering)."""


def data(option: Option) -> str:
    """An option's callback data; ValueError if Telegram would refuse it (over 64 bytes)."""
    encoded = SEP.join((option.kind, *option.args))
    if len(encoded.encode()) > CALLBACK_LIMIT:
        raise ValueError(f"callback data over {CALLBACK_LIMIT} bytes: {encoded!r}")
    return encoded


def button(option: Option, short: bool = False) -> InlineKeyboardButton:
    """One option as a button: its short label where a heading row says the rest."""
    label = option.short if short and option.short else option.label
    return InlineKeyboardButton(label, callback_data=data(option))


def markup(rows: tuple[Row, ...]) -> InlineKeyboardMarkup | None:
    """The options as a keyboard: a row per row, a heading (a plan item's name) on a full-width
    row of its own above its status buttons."""
    keyboard = []
    for row in rows:
        if row.heading is not None:
            keyboard.append([button(row.heading, short=True)])
        keyboard.append([button(o, short=row.heading is not None) for o in row.options])
    return InlineKeyboardMarkup(keyboard) if keyboard else None


def known_step(step_id: str, tips: set[str], is_plan_item: bool) -> str:
    """A tip or plan item id a nudge button names; BadCallback if unknown."""
    if step_id in tips or is_plan_item:
        return step_id
    raise BadCallback(step_id)


def nudge(tip_id: str) -> InlineKeyboardMarkup:
    """Buttons under a nudge: Done, Another tip, Snooze a day, Pause nudges."""

    def one(label: str, action: str) -> InlineKeyboardButton:
        encoded = SEP.join(("ndg", action, tip_id))
        if len(encoded.encode()) > CALLBACK_LIMIT:
            raise ValueError(f"tip id too long for a button: {tip_id!r}")
        return InlineKeyboardButton(label, callback_data=encoded)

    return InlineKeyboardMarkup(
        [
            [one("Done ✓", "done"), one("Another tip", "more")],
            [one("Snooze a day", "snooze"), one("Pause nudges", "pause")],
        ]
    )
