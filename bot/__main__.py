"""`python -m bot` runs the careerbot command."""

from bot.cli import main

raise SystemExit(main())
