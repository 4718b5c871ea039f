"""Wiring the Telegram application: handlers, rate limiting, start-up and shutdown, logging."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.advisor import Advisor
from bot.config import Settings
from bot.knowledge.model import KnowledgeBase
from bot.storage.store import Storage
from bot.tg import commands, handlers
from bot.tg.deps import Deps
from bot.tg.handlers import AddressedToBot
from bot.tg.nudger import Nudger
from bot.tg.pacing import PriorityRateLimiter

log = logging.getLogger(__name__)

# How many times a 429 (flood control) is waited out before a reply is given up.
FLOOD_RETRIES = 5
CONCURRENT_UPDATES = 256


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; those of one chat run in order.

    A user who sends "I'm senior" and then "and salary?" must get them answered in that order.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        # chat id -> (its lock, how many updates hold or wait for it); idle chats are dropped.
        self._chats: dict[int, tuple[asyncio.Lock, list[int]]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers under its chat's lock."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, users = self._chats.setdefault(chat.id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                await coroutine
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._chats[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


class RedactToken(logging.Filter):
    """Removes the bot token from every log record (it is part of every Bot API URL)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message without the token."""
        if not self.token:
            return True
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = None
        if record.exc_info and record.exc_info[1] and self.token in str(record.exc_info[1]):
            record.exc_text = (
                logging.Formatter().formatException(record.exc_info).replace(self.token, "<token>")
            )
        return True


def configure_logging(level: str, token: str) -> None:
    """Log lines to stderr at `level`; HTTP client chatter (with the token in URLs) stays off."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactToken(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if level != "DEBUG":
        logging.getLogger("telegram").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)


def build_application(
    settings: Settings,
    kb: KnowledgeBase,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    clock: Callable[[], datetime] | None = None,
    rate_limit: bool = True,
    dispatch_nudges: bool = True,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bot's Application: the one place where everything is wired together.

    `rate_limit=False` drops Telegram's pacing (25 messages a second): for benchmarks only.
    `dispatch_nudges=False` leaves the nudge dispatcher to the caller (tests run its rounds).
    """
    builder = (
        Application.builder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(_file_url(settings.api_base_url))
        .concurrent_updates(PerChatUpdateProcessor(CONCURRENT_UPDATES))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if rate_limit:
        # The builder's type parameters assume a limiter without arguments; ours takes a priority.
        limiter: Any = PriorityRateLimiter(max_retries=FLOOD_RETRIES)
        builder = builder.rate_limiter(limiter)
    if request is not None:
        builder = builder.request(request).get_updates_request(get_updates_request or request)
    app = builder.build()
    app.bot_data["deps"] = Deps(kb=kb, settings=settings, clock=clock or _now)
    app.bot_data["dispatch_nudges"] = dispatch_nudges

    private_or_addressed = AddressedToBot()
    app.add_handler(CommandHandler("start", commands.start))
    app.add_handler(CommandHandler("help", commands.help_command))
    app.add_handler(CommandHandler("level", commands.level_command))
    app.add_handler(CommandHandler("market", commands.market_command))
    app.add_handler(CommandHandler("profile", commands.profile_command))
    app.add_handler(CommandHandler("forget", commands.forget_command))
    app.add_handler(CommandHandler("sources", commands.sources_command))
    app.add_handler(CommandHandler("stats", commands.stats_command))
    app.add_handler(CommandHandler("nudges", commands.nudges_command))
    app.add_handler(CommandHandler("plan", commands.plan_command))
    app.add_handler(CommandHandler("timezone", commands.timezone_command))
    app.add_handler(
        MessageHandler(filters.COMMAND & private_or_addressed, commands.unknown_command)
    )
    app.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & private_or_addressed, handlers.on_text)
    )
    app.add_handler(CallbackQueryHandler(handlers.on_button))
    app.add_error_handler(handlers.on_error)
    return app


def _file_url(api_base_url: str) -> str:
    """https://api.telegram.org/bot -> https://api.telegram.org/file/bot (same for self-hosted)."""
    head, sep, tail = api_base_url.rpartition("/bot")
    return f"{head}/file/bot{tail}" if sep else api_base_url


def _now() -> datetime:
    return datetime.now(UTC)


def _shifted_clock(start: datetime) -> Callable[[], datetime]:
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    deps: Deps = app.bot_data["deps"]
    deps.storage = await Storage.open(deps.settings.db)
    deps.advisor = Advisor(deps.kb, deps.storage, keep_unanswered=deps.settings.keep_unanswered)
    deps.nudger = Nudger(app.bot, deps.kb, deps.storage, deps.advisor.replies, deps.clock)
    await app.bot.set_my_commands([BotCommand(name, text) for name, text in commands.COMMANDS])
    if app.bot_data["dispatch_nudges"]:
        deps.nudger.start()
    log.info("bot @%s ready (database %s)", app.bot.username, deps.settings.db)


async def _post_stop(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    deps: Deps = app.bot_data["deps"]
    if deps.nudger is not None:
        await deps.nudger.stop()


async def _post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    deps: Deps = app.bot_data["deps"]
    if deps.storage is not None:
        await deps.storage.close()
        deps.storage = None
    log.info("bot stopped, database closed")


def run(settings: Settings, kb: KnowledgeBase) -> None:
    """Run until SIGINT/SIGTERM: long polling, or a webhook server when a URL is set."""
    configure_logging(settings.log_level, settings.token)
    clock = _now
    if settings.fake_now is not None:
        # Start the clock at a chosen moment (it runs at normal speed from there): for trying
        # schedules, and for the test that simulates an outage.
        log.warning("clock starts at %s (CAREERBOT_FAKE_NOW)", settings.fake_now.isoformat())
        clock = _shifted_clock(settings.fake_now)
    app = build_application(settings, kb, clock=clock)
    if settings.webhook_url:
        log.info("webhook mode: listening on %s:%s", settings.listen, settings.port)
        app.run_webhook(
            listen=settings.listen,
            port=settings.port,
            url_path=_webhook_path(settings.webhook_url),
            webhook_url=settings.webhook_url,
            secret_token=settings.secret_token,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        log.info("long polling mode")
        app.run_polling(allowed_updates=Update.ALL_TYPES)


def _webhook_path(url: str) -> str:
    """The path part of the public webhook URL, which the local server must serve."""
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[1] if "/" in rest else ""
