"""`python -m bot` runs the careerbot command."""

from bot.cli.main import main

raise SystemExit(main())
