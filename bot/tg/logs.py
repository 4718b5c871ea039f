"""The bot's log: lines on stderr, with the token and the webhook secret never written."""

from __future__ import annotations

import logging


class RedactToken(logging.Filter):
    """Removes the bot token (part of every Bot API URL) and the webhook secret from every log
    record, its arguments and its traceback."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.secrets = [token] if token else []

    def also(self, secret: str) -> None:
        """Redact this too (a secret made at start-up)."""
        if secret:
            self.secrets.append(secret)

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<secret>" if secret != self.secrets[0] else "<token>")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message without the secrets."""
        if not self.secrets:
            return True
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1]:
            text = logging.Formatter().formatException(record.exc_info)
            if self._clean(text) != text:
                record.exc_text = self._clean(text)
        return True


def redact_also(secret: str) -> None:
    """Have every log handler's redaction hide this secret too (one made at start-up)."""
    for handler in logging.getLogger().handlers:
        for f in handler.filters:
            if isinstance(f, RedactToken):
                f.also(secret)


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
