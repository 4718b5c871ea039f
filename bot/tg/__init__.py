"""The Telegram front end: a thin adapter from python-telegram-bot to the advisor core."""
