"""Sending replies: split to Telegram's size, retried on network errors, blocked users noted."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.answering.render import MAX_MESSAGE

log = logging.getLogger(__name__)
T = TypeVar("T")

# Backoff between attempts after a network error or timeout (flood control is the rate
# limiter's job: it waits out 429s itself).
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)


def split_html(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split rendered HTML at line breaks into messages of at most `limit` characters.

    The renderer never lets a tag span lines, so every line is well-formed on its own.
    """
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        # A single line longer than a message (never produced by the renderer) is cut hard.
        while len(line) > limit:
            parts.append(line[:limit])
            line = line[limit:]
        current = line
    if current:
        parts.append(current)
    return parts


async def with_retries(send: Callable[[], Awaitable[T]]) -> T:
    """Run a Bot API call, retrying network errors and timeouts with backoff."""
    for delay in RETRY_DELAYS:
        try:
            return await send()
        except (Forbidden, BadRequest, RetryAfter):
            raise
        except (TimedOut, NetworkError) as exc:
            log.warning("Bot API call failed (%s); retrying in %.1f s", type(exc).__name__, delay)
            await asyncio.sleep(delay)
    return await send()


async def send_document(
    bot: Bot,
    chat_id: int,
    filename: str,
    text: str,
    on_blocked: Callable[[], Awaitable[None]] | None = None,
) -> Message | None:
    """Send a text file (a Markdown export); None if the user blocked the bot."""

    async def send() -> Message:
        return await bot.send_document(
            chat_id, document=InputFile(text.encode("utf-8"), filename=filename)
        )

    try:
        return await with_retries(send)
    except Forbidden:
        if on_blocked:
            await on_blocked()
        return None


async def send_html(
    bot: Bot,
    chat_id: int,
    html: str,
    keyboard: InlineKeyboardMarkup | None = None,
    on_blocked: Callable[[], Awaitable[None]] | None = None,
) -> Message | None:
    """Send HTML (split if needed, buttons on the last part); None if the user blocked the bot."""
    parts = split_html(html)
    message: Message | None = None
    try:
        for i, part in enumerate(parts):
            markup = keyboard if i == len(parts) - 1 else None

            async def send(
                text: str = part, markup: InlineKeyboardMarkup | None = markup
            ) -> Message:
                return await bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=None,
                )

            message = await with_retries(send)
    except Forbidden:
        log.info("user %s has blocked the bot", chat_id)
        if on_blocked:
            await on_blocked()
        return None
    return message
