"""Wiring the Telegram application: handlers, rate limiting, start-up and shutdown, logging."""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.advisor import Advisor
from bot.config import Settings
from bot.front import COMMANDS, Front
from bot.knowledge.model import KnowledgeBase
from bot.services import Services
from bot.storage.durable import Inbox, Outbox
from bot.storage.store import Storage
from bot.tg import commands, handlers, intake
from bot.tg.delivery import Sender
from bot.tg.deps import CONTEXT_TYPES, Deps, app_deps
from bot.tg.handlers import AddressedToBot
from bot.tg.intake import Processor
from bot.tg.logs import configure_logging, redact_also
from bot.tg.nudger import Nudger
from bot.tg.pacing import PriorityRateLimiter
from bot.tg.webhook import WebhookServer

log = logging.getLogger(__name__)

# How many times a 429 (flood control) is waited out before a reply is given up.
FLOOD_RETRIES = 5
CONCURRENT_UPDATES = 256
# SIGTERM: the updates in hand get this long to finish; the whole stop stays under 5 s.
STOP_GRACE = 2.5


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


class LeanApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application that keeps no per-chat or per-user state: without persistence, PTB would
    still note every chat and user id it sees in sets that are never emptied (memory that
    grows with every new user)."""

    def _mark_for_persistence_update(
        self, *, update: object | None = None, job: Any = None
    ) -> None:
        if self.persistence:
            super()._mark_for_persistence_update(update=update, job=job)


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
        .context_types(CONTEXT_TYPES)
        .application_class(LeanApplication)
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
    else:
        # A send that times out may have arrived, and is never sent twice: wait long enough
        # for Telegram's answer that a timeout is rare.
        builder = builder.read_timeout(settings.read_timeout).connect_timeout(10.0)
    app = builder.build()
    deps = Deps(kb=kb, settings=settings, clock=clock or _now)
    app.bot_data.deps = deps
    app.bot_data.dispatch_nudges = dispatch_nudges

    private_or_addressed = AddressedToBot()
    for name, callback in (*commands.HANDLERS.items(), ("stats", commands.stats_command)):
        # A forwarded command is someone else's: it is read as their words, never run.
        app.add_handler(CommandHandler(name, callback, filters=~filters.FORWARDED))
    app.add_handler(
        MessageHandler(
            filters.COMMAND & ~filters.FORWARDED & private_or_addressed, commands.unknown_command
        )
    )
    app.add_handler(
        MessageHandler(
            filters.TEXT & (~filters.COMMAND | filters.FORWARDED) & private_or_addressed,
            handlers.on_text,
        )
    )
    # A caption is text: answered like a message. Other kinds get a word on what the bot reads;
    # service messages (members joining, pinned messages...) get nothing.
    app.add_handler(MessageHandler(filters.CAPTION & private_or_addressed, handlers.on_text))
    app.add_handler(MessageHandler(
        ~filters.TEXT & ~filters.CAPTION & ~filters.StatusUpdate.ALL & private_or_addressed
        & filters.UpdateType.MESSAGE, handlers.on_other))  # fmt: skip
    app.add_handler(ChatMemberHandler(handlers.on_my_chat_member,
                                      ChatMemberHandler.MY_CHAT_MEMBER))  # fmt: skip
    for handler in handlers.button_handlers():
        app.add_handler(handler)
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
    deps = app_deps(app)
    deps.storage = await Storage.open(deps.settings.db)
    deps.advisor = Advisor(deps.kb, deps.storage, keep_unanswered=deps.settings.keep_unanswered)
    deps.sender = Sender(app.bot, deps.clock, window=deps.settings.send_retry)
    deps.outbox = Outbox(deps.storage)
    for update_id, chat_id in await deps.outbox.recover(deps.clock()):
        log.warning("update=%s: a reply to chat %s was being sent when the bot stopped; it "
                    "may or may not have arrived and is not sent again", update_id,
                    chat_id)  # fmt: skip
    deps.services = Services(deps.kb, deps.storage, deps.advisor)
    deps.front = Front(deps.services)
    deps.nudger = Nudger(app.bot, deps.kb, deps.services, deps.clock, sender=deps.sender)
    await deps.nudger.recover()
    await app.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
    if app.bot_data.dispatch_nudges:
        deps.nudger.start()
    log.info("bot @%s ready (database %s)", app.bot.username, deps.settings.db)


async def _post_stop(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    deps = app_deps(app)
    if deps.nudger is not None:
        await deps.nudger.stop()


async def _post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    deps = app_deps(app)
    if deps.storage is not None:
        await deps.storage.close()
        deps.storage = None
    log.info("bot stopped, database closed")


def run(settings: Settings, kb: KnowledgeBase) -> int:
    """Run until SIGINT/SIGTERM: long polling, or a webhook server when a URL is set. The exit
    code: 0 after a stop, 2 when Telegram rejects the token, 3 when it stays unreachable."""
    configure_logging(settings.log_level, settings.token)
    clock = _now
    if settings.fake_now is not None:
        # Start the clock at a chosen moment (it runs at normal speed from there): for trying
        # schedules, and for the test that simulates an outage.
        log.warning("clock starts at %s (CAREERBOT_FAKE_NOW)", settings.fake_now.isoformat())
        clock = _shifted_clock(settings.fake_now)
    return asyncio.run(serve(build_application(settings, kb, clock=clock)))


async def serve(app: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """Connect, then fetch into the inbox (long polling or the webhook server) and process it
    until SIGTERM/SIGINT; then stop within 5 s, leaving what is not done in the inbox."""
    deps = app_deps(app)
    settings = deps.settings
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    code = await _connect(app, settings, stop)
    if code is not None or stop.is_set():
        await app.shutdown()
        return code or 0
    try:
        await _post_init(app)
    except InvalidToken:
        log.error("Telegram rejected the bot token; check TELEGRAM_BOT_TOKEN")
        await app.shutdown()
        await _post_shutdown(app)
        return 2
    storage, _ = deps.ready
    inbox = Inbox(storage)
    processor = Processor(app, inbox, deps.outbox, deps.clock)
    tasks = [asyncio.create_task(processor.run(), name="processor"),
             asyncio.create_task(intake.prune(inbox, deps.clock, stop), name="prune")]  # fmt: skip
    server: WebhookServer | None = None
    if settings.webhook_url:
        secret = settings.secret_token or secrets.token_urlsafe(32)
        redact_also(secret)
        if not settings.secret_token:
            log.info("webhook: no secret configured; using a random one for this run")
        server = WebhookServer(inbox, processor, _webhook_path(settings.webhook_url), secret,
                               settings.max_pending, deps.clock)  # fmt: skip
        await server.start(settings.listen, settings.port)
        await app.bot.set_webhook(settings.webhook_url, secret_token=secret,
                                  allowed_updates=list(Update.ALL_TYPES))  # fmt: skip
        log.info("webhook mode: listening on %s:%s", settings.listen, settings.port)
    else:
        await app.bot.delete_webhook()
        log.info("long polling mode")
        tasks.append(asyncio.create_task(
            intake.poll(app, inbox, processor, settings.max_pending, deps.clock, time.monotonic,
                        stop), name="poll"))  # fmt: skip
    code = 0
    waiter = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        if task is not waiter and task.exception() is not None:
            error = task.exception()
            if isinstance(error, InvalidToken):
                log.error("Telegram rejected the bot token; check TELEGRAM_BOT_TOKEN")
                code = 2
            else:
                log.error("%s stopped: %s", task.get_name(), type(error).__name__, exc_info=error)
                code = 1
    started = time.monotonic()
    log.info("stopping: no more fetching; finishing the updates in hand")
    stop.set()
    waiter.cancel()
    if server is not None:
        await server.close()
    for task in tasks:
        if task.get_name() != "processor":
            task.cancel()
    await asyncio.gather(processor.stop(STOP_GRACE), _post_stop(app))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    try:
        async with asyncio.timeout(1.0):
            await app.shutdown()
    except TimeoutError:
        log.warning("the HTTP client did not close in time")
    await _post_shutdown(app)
    log.info("stopped in %.1f s", time.monotonic() - started)
    return code


async def _connect(
    app: Application[Any, Any, Any, Any, Any, Any], settings: Settings, stop: asyncio.Event
) -> int | None:
    """Reach the Bot API (getMe), retrying with backoff for up to `start_timeout` s: None once
    connected, else the exit code. Logs one line per attempt, naming the host, not the token."""
    host = urlsplit(settings.api_base_url).netloc or settings.api_base_url
    deadline = time.monotonic() + settings.start_timeout
    delay, attempt = 1.0, 0
    while not stop.is_set():
        attempt += 1
        try:
            await app.initialize()
            return None
        except InvalidToken:
            log.error("Telegram (%s) rejected the bot token; check TELEGRAM_BOT_TOKEN", host)
            return 2
        except TelegramError as exc:
            left = deadline - time.monotonic()
            if left <= 0:
                log.error("could not reach the Bot API at %s for %.0f s; giving up", host,
                          settings.start_timeout)  # fmt: skip
                return 3
            wait = min(delay, left)
            log.warning("could not reach the Bot API at %s (attempt %d: %s); retrying in %.0f s",
                        host, attempt, type(exc).__name__, wait)  # fmt: skip
            try:
                async with asyncio.timeout(wait):
                    await stop.wait()
            except TimeoutError:
                pass
            delay = min(delay * 2, 60.0)
    return 0


def _webhook_path(url: str) -> str:
    """The path part of the public webhook URL, which the local server must serve."""
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[1] if "/" in rest else ""
