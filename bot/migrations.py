"""The database schema as numbered migrations: MIGRATIONS[n - 1] upgrades version n-1 to n.

Never edit a released migration; append a new one. `PRAGMA user_version` records the version.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: what users tell the bot about themselves.
    (
        """CREATE TABLE users (
            user_id    INTEGER PRIMARY KEY,
            level      TEXT,
            market     TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        )""",
    ),
    # 2: the thread of the conversation, one row per user, for follow-up questions.
    (
        """CREATE TABLE conversation (
            user_id    INTEGER PRIMARY KEY REFERENCES users(user_id) ON DELETE CASCADE,
            intent     TEXT NOT NULL,
            level      TEXT,
            from_level TEXT,
            market     TEXT,
            pending    TEXT,
            updated_at INTEGER NOT NULL
        )""",
    ),
)
