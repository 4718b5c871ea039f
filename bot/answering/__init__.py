"""Answers: built from the knowledge base, rendered as plain text or Telegram HTML."""
