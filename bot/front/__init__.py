"""What every front end shows: the reply to a message, a command or a pick, with the options that
go with it. Telegram draws the options as buttons, the terminal chat as numbered choices, the JSON
interface lists them as "choices"; picking one does the same thing everywhere (`Front.pick`), and
each has a text that does it too when typed. Clients only draw and send: no storage calls, no
decisions of their own. Time is a parameter."""

from bot.front.commands import COMMANDS
from bot.front.core import Front
from bot.front.shown import BadPick, Option, Photo, Row, Shown

__all__ = ["COMMANDS", "BadPick", "Front", "Option", "Photo", "Row", "Shown"]
