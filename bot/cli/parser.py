"""The `careerbot` command line: every subcommand's arguments and help."""

from __future__ import annotations

import argparse

from bot.knowledge import copycheck


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="careerbot",
        description="Career advice for ML engineers. Without a command: the Telegram bot when "
        "TELEGRAM_BOT_TOKEN is set, otherwise a local chat.",
    )
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge base directory "
                        "(default: $CAREERBOT_KNOWLEDGE or the bundled one)")  # fmt: skip
    sub = parser.add_subparsers(dest="command")

    def conversation(p: argparse.ArgumentParser) -> None:
        """The options of the subcommands that hold a conversation (chat, ask)."""
        p.add_argument("--json", action="store_true", help="one JSON object per reply")
        p.add_argument("--db", metavar="PATH", default=None,
                       help="SQLite database (default: $CAREERBOT_DB or the user data dir; "
                       "':memory:' keeps nothing)")  # fmt: skip
        p.add_argument("--user", type=_positive_int, default=1, metavar="ID",
                       help="user id (default 1)")  # fmt: skip
        p.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS,
                       help="knowledge base directory")  # fmt: skip
        p.add_argument("--out", metavar="DIR", default=None,
                       help="where /plan export and charts are written (default: the current "
                       "directory)")  # fmt: skip

    conversation(sub.add_parser("chat", help="talk to the advisor on the terminal; choices are "
                                "numbered: type the number to pick one"))  # fmt: skip
    ask = sub.add_parser("ask", help="ask one question (or run one /command) and print the answer")
    ask.add_argument("question", help="the question, in quotes")
    conversation(ask)

    chart = sub.add_parser("chart", help="draw the pay ranges per source for a level and market "
                           "as a PNG")  # fmt: skip
    chart.add_argument("level", help="a level id: " + ", ".join(("junior", "mid", "senior",
                       "staff", "principal")))  # fmt: skip
    chart.add_argument("market", nargs="?", default="us",
                       help="a market id or city (default: us)")  # fmt: skip
    chart.add_argument("--out", metavar="FILE", default=None,
                       help="PNG file to write (default: pay-LEVEL-MARKET.png here)")  # fmt: skip
    chart.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS,
                       help="knowledge base directory")  # fmt: skip

    ev = sub.add_parser("eval", help="score intent and slot matching on a labelled question set")
    ev.add_argument("file", nargs="?", help="labelled set (default: the packaged "
                    "questions.yaml, the held-out set)")  # fmt: skip
    ev.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS,
                    help="knowledge base directory")  # fmt: skip
    ev.add_argument("--errors", action="store_true", help="list every miss")

    run = sub.add_parser("run", help="run the Telegram bot (long polling, or a webhook server)")
    run.add_argument("--token", help="bot token (prefer $TELEGRAM_BOT_TOKEN: flags show in ps)")
    run.add_argument("--api-base-url", help="Bot API base URL ($TELEGRAM_API_BASE_URL)")
    run.add_argument("--db", help="SQLite database ($CAREERBOT_DB)")
    run.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS,
                     help="knowledge base directory ($CAREERBOT_KNOWLEDGE)")  # fmt: skip
    run.add_argument("--admin-ids", help="user ids allowed /stats ($CAREERBOT_ADMIN_IDS)")
    run.add_argument("--log-level", help="DEBUG, INFO, WARNING... ($CAREERBOT_LOG_LEVEL)")
    run.add_argument("--keep-unanswered", choices=("on", "off"),
                     help="keep unanswered questions, without user ids "
                     "($CAREERBOT_KEEP_UNANSWERED, default on)")  # fmt: skip
    run.add_argument(
        "--webhook-url", help="public https URL: webhook mode ($CAREERBOT_WEBHOOK_URL)"
    )
    run.add_argument("--listen", help="webhook server address ($CAREERBOT_LISTEN, 127.0.0.1)")
    run.add_argument("--port", help="webhook server port ($CAREERBOT_PORT, 8443)")
    run.add_argument("--secret-token", help="webhook secret ($CAREERBOT_WEBHOOK_SECRET; "
                     "random for each run when unset)")  # fmt: skip
    run.add_argument("--max-pending", help="stop fetching while this many updates wait "
                     "($CAREERBOT_MAX_PENDING, 1000)")  # fmt: skip
    run.add_argument("--send-retry", help="seconds a reply is retried while it is not "
                     "delivered ($CAREERBOT_SEND_RETRY, 600)")  # fmt: skip
    run.add_argument("--read-timeout", help="seconds to wait for Telegram's answer to a send "
                     "($CAREERBOT_READ_TIMEOUT, 30)")  # fmt: skip
    run.add_argument("--start-timeout", help="seconds to keep trying to reach the Bot API at "
                     "start ($CAREERBOT_START_TIMEOUT, 300)")  # fmt: skip

    nudge = sub.add_parser("nudges", help="nudge tools")
    nudge_sub = nudge.add_subparsers(dest="nudges_command", required=True)
    preview = nudge_sub.add_parser("preview", help="a user's next nudge and when it is due")
    preview.add_argument("--user", type=_positive_int, required=True, metavar="ID",
                         help="the user's id (their Telegram user id)")  # fmt: skip
    preview.add_argument("--db", metavar="PATH", default=None,
                         help="SQLite database (default: $CAREERBOT_DB or the user data dir); "
                         "never created")  # fmt: skip
    preview.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS,
                         help="knowledge base directory")  # fmt: skip

    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_sub.add_parser("check", help="validate a knowledge base directory")
    check.add_argument("dir", nargs="?", help="directory (default: the one in use)")
    check.add_argument(
        "--sources",
        metavar="PATH",
        action="append",
        default=[],
        help="source documents (a directory of .txt/.md files, or a file; repeatable): report "
        f"the longest run of words each text shares with them; {copycheck.MAX_RUN} or more is "
        "a copied sentence",
    )
    check.add_argument(
        "--all", action="store_true", help="with --sources: list every text, not only copies"
    )
    return parser
