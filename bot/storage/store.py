"""SQLite storage through aiosqlite: `Storage`, made of one store per thing kept (the modules
beside this one, the only ones with SQL). Schema as numbered migrations."""

from __future__ import annotations

from bot.storage.conversation import ConversationStore
from bot.storage.nudges import NudgeStore
from bot.storage.plans import PlanStore
from bot.storage.profiles import ProfileStore
from bot.storage.stats import MAX_UNANSWERED, Stats, StatsStore

__all__ = ["MAX_UNANSWERED", "Stats", "Storage"]


class Storage(ConversationStore, ProfileStore, PlanStore, NudgeStore, StatsStore):
    """Per-user profile and conversation context in one SQLite database (WAL mode)."""
