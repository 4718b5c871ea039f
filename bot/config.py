"""Settings of the running bot: environment variables, overridden by command-line flags."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
TOKEN_SHAPE = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{1,200}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """A setting with a value the bot cannot use; the message says what is expected."""


def default_db(environ: Mapping[str, str] = os.environ) -> str:
    """$CAREERBOT_DB, else careerbot.sqlite3 in the user's data directory."""
    env = environ.get("CAREERBOT_DB")
    if env:
        return env
    base = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "careerbot" / "careerbot.sqlite3")


def parse_admin_ids(text: str) -> frozenset[int]:
    """ "1, 2 3" -> {1, 2, 3}; anything else is a ConfigError naming the bad part."""
    ids = set()
    for part in text.replace(",", " ").split():
        if not part.lstrip("-").isdigit():
            raise ConfigError(
                f"CAREERBOT_ADMIN_IDS: '{part}' is not a Telegram user id "
                "(expected numbers separated by commas, e.g. 12345,67890)"
            )
        ids.add(int(part))
    return frozenset(ids)


def _flag(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name}: expected on/off (1/0, true/false), got '{value}'")


def _number(text: str, name: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # also false for nan
        raise ConfigError(f"{name}: expected a number from {low:g} to {high:g}, got '{text}'")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything `careerbot run` needs; the token never appears in repr() or logs."""

    token: str = field(repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    db: str = ""
    knowledge: str | None = None
    admin_ids: frozenset[int] = frozenset()
    log_level: str = "INFO"
    keep_unanswered: bool = True
    webhook_url: str | None = None
    listen: str = "127.0.0.1"
    port: int = 8443
    secret_token: str | None = field(default=None, repr=False)
    fake_now: datetime | None = None
    max_pending: int = 1000
    send_retry: float = 600.0
    start_timeout: float = 300.0
    read_timeout: float = 30.0

    @classmethod
    def load(cls, environ: Mapping[str, str], **flags: object) -> Settings:
        """Settings from the environment, with non-None `flags` taking precedence."""

        def pick(flag: str, env: str, default: str = "") -> str:
            value = flags.get(flag)
            return str(value) if value is not None else environ.get(env, default)

        token = pick("token", "TELEGRAM_BOT_TOKEN").strip()
        if not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather and run "
                "`TELEGRAM_BOT_TOKEN=... careerbot run`, or try the bot locally with "
                "`careerbot chat` (no token needed)."
            )
        if not TOKEN_SHAPE.match(token):
            # The value is not echoed: a mistyped token is still mostly a secret.
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN: not a bot token (expected digits, a colon, then letters, "
                "digits, _ and -, as @BotFather gives it)"
            )
        level = pick("log_level", "CAREERBOT_LOG_LEVEL", "INFO").upper()
        if level not in LOG_LEVELS:
            raise ConfigError(
                f"CAREERBOT_LOG_LEVEL: expected one of {', '.join(LOG_LEVELS)}, got '{level}'"
            )
        port_text = pick("port", "CAREERBOT_PORT", "8443")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError(f"CAREERBOT_PORT: expected a port number 1-65535, got '{port_text}'")
        webhook_url = pick("webhook_url", "CAREERBOT_WEBHOOK_URL") or None
        if webhook_url and not webhook_url.startswith("https://"):
            raise ConfigError(
                f"CAREERBOT_WEBHOOK_URL: Telegram only delivers to https:// URLs, got "
                f"'{webhook_url}'"
            )
        secret = pick("secret_token", "CAREERBOT_WEBHOOK_SECRET") or None
        if secret and (len(secret) > 256 or not all(c.isalnum() or c in "_-" for c in secret)):
            raise ConfigError(
                "CAREERBOT_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and - only"
            )
        max_pending = _number(pick("max_pending", "CAREERBOT_MAX_PENDING", "1000"),
                              "CAREERBOT_MAX_PENDING", 1, 1_000_000)  # fmt: skip
        send_retry = _number(pick("send_retry", "CAREERBOT_SEND_RETRY", "600"),
                             "CAREERBOT_SEND_RETRY", 0, 86_400)  # fmt: skip
        start_timeout = _number(pick("start_timeout", "CAREERBOT_START_TIMEOUT", "300"),
                                "CAREERBOT_START_TIMEOUT", 0, 86_400)  # fmt: skip
        read_timeout = _number(pick("read_timeout", "CAREERBOT_READ_TIMEOUT", "30"),
                               "CAREERBOT_READ_TIMEOUT", 1, 600)  # fmt: skip
        fake_now = None
        if environ.get("CAREERBOT_FAKE_NOW"):
            text = environ["CAREERBOT_FAKE_NOW"]
            try:
                fake_now = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                raise ConfigError(
                    f"CAREERBOT_FAKE_NOW: expected an ISO 8601 time like 2026-03-02T10:00:00Z, "
                    f"got '{text}'"
                ) from None
            if fake_now.tzinfo is None:
                fake_now = fake_now.replace(tzinfo=UTC)
        return cls(
            token=token,
            api_base_url=pick("api_base_url", "TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL),
            db=pick("db", "CAREERBOT_DB") or default_db(environ),
            knowledge=pick("knowledge", "CAREERBOT_KNOWLEDGE") or None,
            admin_ids=parse_admin_ids(pick("admin_ids", "CAREERBOT_ADMIN_IDS")),
            log_level=level,
            keep_unanswered=_flag(
                pick("keep_unanswered", "CAREERBOT_KEEP_UNANSWERED", "on"),
                "CAREERBOT_KEEP_UNANSWERED",
            ),
            webhook_url=webhook_url,
            listen=pick("listen", "CAREERBOT_LISTEN", "127.0.0.1"),
            port=int(port_text),
            secret_token=secret,
            fake_now=fake_now,
            max_pending=int(max_pending),
            send_retry=send_retry,
            start_timeout=start_timeout,
            read_timeout=read_timeout,
        )
