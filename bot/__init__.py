"""Career advisor for machine-learning engineers: a pure core, a CLI and a Telegram adapter."""

__version__ = "0.1.0"
