"""Reads: products, which product a chat message names (exact, fuzzy), the streamer and FAQs."""
