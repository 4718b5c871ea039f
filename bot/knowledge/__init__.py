"""The knowledge base: its typed model, and loading and validating knowledge/*.yaml."""
