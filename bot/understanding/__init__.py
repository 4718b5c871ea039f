"""Understanding messages: normalising, slots, intents, scope and the dialogue context."""
