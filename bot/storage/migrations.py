"""The database schema as numbered migrations: MIGRATIONS[n - 1] upgrades version n-1 to n.

Never edit a released migration; append a new one. `PRAGMA user_version` records the version.
"""

from __future__ import annotations

# Migration 8's per-message write (a view and its trigger), named because migration 11 extends
# it: the text stays exactly as released.
_TURN_WRITES_8 = """CREATE VIEW turn_writes AS SELECT
            NULL AS user_id, NULL AS level, NULL AS market, NULL AS level_since,
            NULL AS background, NULL AS at, NULL AS resume_at, NULL AS day, NULL AS intent,
            NULL AS unanswered, NULL AS ctx_intent, NULL AS ctx_level, NULL AS ctx_from_level,
            NULL AS ctx_market, NULL AS ctx_pending, NULL AS ctx_at, NULL AS ctx_company,
            NULL AS ctx_confirm
        WHERE 0"""
_TURN_WRITE_8 = """CREATE TRIGGER turn_write INSTEAD OF INSERT ON turn_writes BEGIN
            INSERT INTO users (user_id, created_at, updated_at, last_seen)
            VALUES (NEW.user_id, NEW.at, NEW.at, NEW.at) ON CONFLICT(user_id) DO NOTHING;
            INSERT INTO profile_history (user_id, level, market, level_since, background, at)
            SELECT user_id, level, market, level_since, background, NEW.at FROM users
            WHERE user_id = NEW.user_id AND (level IS NOT NEW.level OR market IS NOT NEW.market
                OR level_since IS NOT NEW.level_since OR background IS NOT NEW.background);
            DELETE FROM profile_history WHERE user_id = NEW.user_id AND seq <= (
                SELECT seq FROM profile_history WHERE user_id = NEW.user_id
                ORDER BY seq DESC LIMIT 1 OFFSET 20);
            INSERT INTO users (user_id, level, market, level_since, background, created_at,
                               updated_at, last_seen)
            VALUES (NEW.user_id, NEW.level, NEW.market, NEW.level_since, NEW.background, NEW.at,
                    NEW.at, NEW.at)
            ON CONFLICT(user_id) DO UPDATE SET level = excluded.level,
                market = excluded.market, level_since = excluded.level_since,
                background = excluded.background, updated_at = excluded.updated_at,
                last_seen = excluded.last_seen, blocked_at = NULL;
            UPDATE nudge_settings SET ignored = 0 WHERE user_id = NEW.user_id AND ignored > 0;
            UPDATE nudge_settings SET next_due = NEW.resume_at
            WHERE NEW.resume_at IS NOT NULL AND user_id = NEW.user_id AND next_due IS NULL;
            INSERT INTO question_counts (day, intent, count)
            SELECT NEW.day, NEW.intent, 1 WHERE NEW.intent IS NOT NULL
            ON CONFLICT(day, intent) DO UPDATE SET count = count + 1;
            INSERT INTO unanswered (text, count, last_seen)
            SELECT NEW.unanswered, 1, NEW.at WHERE NEW.unanswered IS NOT NULL
            ON CONFLICT(text) DO UPDATE SET count = count + 1, last_seen = excluded.last_seen;
            DELETE FROM conversation WHERE NEW.ctx_intent IS NULL AND user_id = NEW.user_id;
            INSERT INTO conversation (user_id, intent, level, from_level, market, pending,
                                      updated_at, company, confirm)
            SELECT NEW.user_id, NEW.ctx_intent, NEW.ctx_level, NEW.ctx_from_level,
                   NEW.ctx_market, NEW.ctx_pending, NEW.ctx_at, NEW.ctx_company, NEW.ctx_confirm
            WHERE NEW.ctx_intent IS NOT NULL
            ON CONFLICT(user_id) DO UPDATE SET intent = excluded.intent,
                level = excluded.level, from_level = excluded.from_level,
                market = excluded.market, pending = excluded.pending,
                updated_at = excluded.updated_at, company = excluded.company,
                confirm = excluded.confirm;
        END"""

# Migration 11 writes the page of a long answer shown with the rest of the message's state.
_PAGE_COLUMNS_11 = """,
            NULL AS page_intent, NULL AS page_level, NULL AS page_from_level,
            NULL AS page_market, NULL AS page, NULL AS page_at, NULL AS page_words
        WHERE 0"""
_PAGE_WRITE_11 = """    INSERT INTO answer_pages (user_id, intent, level, from_level, market, page,
                                      shown_at, words)
            SELECT NEW.user_id, NEW.page_intent, NEW.page_level, NEW.page_from_level,
                   NEW.page_market, NEW.page, NEW.page_at, NEW.page_words
            WHERE NEW.page_intent IS NOT NULL
            ON CONFLICT(user_id) DO UPDATE SET intent = excluded.intent,
                level = excluded.level, from_level = excluded.from_level,
                market = excluded.market, page = excluded.page,
                shown_at = excluded.shown_at, words = excluded.words;
        END"""

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
    # 3: operations: when a user was last seen or blocked the bot, anonymous question counts
    # for /stats, and questions the bot could not answer (text only, no user id).
    (
        "ALTER TABLE users ADD COLUMN last_seen INTEGER",
        "ALTER TABLE users ADD COLUMN blocked_at INTEGER",
        "UPDATE users SET last_seen = updated_at",
        """CREATE TABLE question_counts (
            day    TEXT NOT NULL,
            intent TEXT NOT NULL,
            count  INTEGER NOT NULL,
            PRIMARY KEY (day, intent)
        )""",
        """CREATE TABLE unanswered (
            text      TEXT PRIMARY KEY,
            count     INTEGER NOT NULL,
            last_seen INTEGER NOT NULL
        )""",
        "CREATE INDEX users_last_seen ON users(last_seen)",
    ),
    # 4: nudges. The schedule is data: each user's next due time (UTC) is claimed and moved on
    # in the transaction that selects it. Events per user ("5 steps done this month") go with
    # the user; daily counts for /stats are anonymous.
    (
        """CREATE TABLE nudge_settings (
            user_id   INTEGER PRIMARY KEY REFERENCES users(user_id) ON DELETE CASCADE,
            cadence   TEXT NOT NULL DEFAULT 'off',
            weekday   INTEGER NOT NULL DEFAULT 0,
            hour      INTEGER NOT NULL DEFAULT 9,
            minute    INTEGER NOT NULL DEFAULT 0,
            tz        TEXT NOT NULL DEFAULT 'UTC',
            next_due  INTEGER,
            last_sent INTEGER,
            ignored   INTEGER NOT NULL DEFAULT 0,
            stopped   INTEGER NOT NULL DEFAULT 0,
            offered   INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX nudge_due ON nudge_settings(next_due) WHERE next_due IS NOT NULL",
        """CREATE TABLE nudge_events (
            user_id INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            tip_id  TEXT,
            event   TEXT NOT NULL,
            at      INTEGER NOT NULL
        )""",
        "CREATE INDEX nudge_events_user ON nudge_events(user_id, event, at)",
        """CREATE TABLE tips_seen (
            user_id INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            tip_id  TEXT NOT NULL,
            PRIMARY KEY (user_id, tip_id)
        )""",
        """CREATE TABLE nudge_counts (
            day   TEXT NOT NULL,
            event TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (day, event)
        )""",
    ),
    # 5: personal plans. Statuses per plan item (ids are unique across plans, so the current
    # plan is the one for the user's level); plans left behind by a promotion are archived.
    (
        "ALTER TABLE users ADD COLUMN level_since TEXT",
        """CREATE TABLE plan_items (
            user_id    INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            item_id    TEXT NOT NULL,
            status     TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, item_id)
        )""",
        """CREATE TABLE plan_archive (
            user_id     INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            from_level  TEXT NOT NULL,
            to_level    TEXT NOT NULL,
            archived_at INTEGER NOT NULL,
            done        INTEGER NOT NULL,
            total       INTEGER NOT NULL,
            statuses    TEXT NOT NULL
        )""",
    ),
    # 6: the company the conversation is about ("and L6?" after "what is L5 at Google").
    ("ALTER TABLE conversation ADD COLUMN company TEXT",),
    # 7: what every message writes (profile, nudge answer, counts, context) as one statement:
    # an insert into this view runs the trigger, atomically, in a single trip to the database
    # thread instead of six.
    (
        """CREATE VIEW turn_writes AS SELECT
            NULL AS user_id, NULL AS level, NULL AS market, NULL AS level_since, NULL AS at,
            NULL AS resume_at, NULL AS day, NULL AS intent, NULL AS unanswered,
            NULL AS ctx_intent, NULL AS ctx_level, NULL AS ctx_from_level, NULL AS ctx_market,
            NULL AS ctx_pending, NULL AS ctx_at, NULL AS ctx_company
        WHERE 0""",
        """CREATE TRIGGER turn_write INSTEAD OF INSERT ON turn_writes BEGIN
            INSERT INTO users (user_id, level, market, level_since, created_at, updated_at,
                               last_seen)
            VALUES (NEW.user_id, NEW.level, NEW.market, NEW.level_since, NEW.at, NEW.at, NEW.at)
            ON CONFLICT(user_id) DO UPDATE SET level = excluded.level,
                market = excluded.market, level_since = excluded.level_since,
                updated_at = excluded.updated_at, last_seen = excluded.last_seen,
                blocked_at = NULL;
            UPDATE nudge_settings SET ignored = 0 WHERE user_id = NEW.user_id AND ignored > 0;
            UPDATE nudge_settings SET next_due = NEW.resume_at
            WHERE NEW.resume_at IS NOT NULL AND user_id = NEW.user_id AND next_due IS NULL;
            INSERT INTO question_counts (day, intent, count)
            SELECT NEW.day, NEW.intent, 1 WHERE NEW.intent IS NOT NULL
            ON CONFLICT(day, intent) DO UPDATE SET count = count + 1;
            INSERT INTO unanswered (text, count, last_seen)
            SELECT NEW.unanswered, 1, NEW.at WHERE NEW.unanswered IS NOT NULL
            ON CONFLICT(text) DO UPDATE SET count = count + 1, last_seen = excluded.last_seen;
            DELETE FROM conversation WHERE NEW.ctx_intent IS NULL AND user_id = NEW.user_id;
            INSERT INTO conversation (user_id, intent, level, from_level, market, pending,
                                      updated_at, company)
            SELECT NEW.user_id, NEW.ctx_intent, NEW.ctx_level, NEW.ctx_from_level,
                   NEW.ctx_market, NEW.ctx_pending, NEW.ctx_at, NEW.ctx_company
            WHERE NEW.ctx_intent IS NOT NULL
            ON CONFLICT(user_id) DO UPDATE SET intent = excluded.intent,
                level = excluded.level, from_level = excluded.from_level,
                market = excluded.market, pending = excluded.pending,
                updated_at = excluded.updated_at, company = excluded.company;
        END""",
    ),
    # 8: state that a message can never destroy by accident. Where someone moving into ML comes
    # from; an action waiting for the user's "yes"; and the profile as it was before each change,
    # so that "undo" (and a correction back) restores it exactly. The per-message write now also
    # records that history, so its trigger is made anew.
    (
        "ALTER TABLE users ADD COLUMN background TEXT",
        "ALTER TABLE conversation ADD COLUMN confirm TEXT",
        """CREATE TABLE profile_history (
            seq         INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id     INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            level       TEXT,
            market      TEXT,
            level_since TEXT,
            background  TEXT,
            at          INTEGER NOT NULL
        )""",
        "CREATE INDEX profile_history_user ON profile_history(user_id, seq)",
        "DROP TRIGGER turn_write",
        "DROP VIEW turn_writes",
        _TURN_WRITES_8,
        _TURN_WRITE_8,
    ),
    # 9: durability. The inbox holds every update from before it is confirmed to Telegram until
    # it is processed (its body is blanked then; the id stays a day to drop re-deliveries); the
    # outbox records each reply of an update, so a reprocessed update never sends one twice;
    # a nudge is leased while it is sent and its schedule moves on only once Telegram accepted
    # it. Unanswered questions are capped as they are inserted.
    (
        """CREATE TABLE inbox (
            update_id   INTEGER PRIMARY KEY,
            chat_key    INTEGER,
            body        TEXT,
            received_at INTEGER NOT NULL,
            done_at     INTEGER,
            attempts    INTEGER NOT NULL DEFAULT 0,
            not_before  INTEGER
        )""",
        "CREATE INDEX inbox_pending ON inbox(update_id) WHERE done_at IS NULL",
        "CREATE INDEX inbox_done ON inbox(done_at) WHERE done_at IS NOT NULL",
        """CREATE TABLE outbox (
            update_id  INTEGER NOT NULL,
            seq        INTEGER NOT NULL,
            chat_id    INTEGER NOT NULL,
            state      TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (update_id, seq)
        )""",
        "ALTER TABLE nudge_settings ADD COLUMN lease_until INTEGER",
        "ALTER TABLE nudge_settings ADD COLUMN lease_sending INTEGER NOT NULL DEFAULT 0",
        """CREATE TRIGGER unanswered_cap AFTER INSERT ON unanswered
        WHEN (SELECT COUNT(*) FROM unanswered) > 1000 BEGIN
            DELETE FROM unanswered WHERE text IN (
                SELECT text FROM unanswered ORDER BY count ASC, last_seen ASC
                LIMIT (SELECT COUNT(*) - 1000 FROM unanswered));
        END""",
    ),
    # 10: long answers come a page at a time; "more" shows the next page of the last one.
    (
        """CREATE TABLE answer_pages (
            user_id    INTEGER PRIMARY KEY REFERENCES users(user_id) ON DELETE CASCADE,
            intent     TEXT NOT NULL,
            level      TEXT,
            from_level TEXT,
            market     TEXT,
            page       INTEGER NOT NULL,
            shown_at   INTEGER NOT NULL,
            words      TEXT NOT NULL
        )""",
    ),
    # 11: the page of a long answer shown is written with the rest of the message's state, in
    # the same statement: one trip to the database thread per message, not two.
    (
        "DROP TRIGGER turn_write",
        "DROP VIEW turn_writes",
        _TURN_WRITES_8.removesuffix("\n        WHERE 0") + _PAGE_COLUMNS_11,
        _TURN_WRITE_8.removesuffix("END") + _PAGE_WRITE_11,
    ),
)
