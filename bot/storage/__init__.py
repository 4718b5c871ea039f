"""Storage: the only place with SQL (aiosqlite), and the schema as numbered migrations."""
