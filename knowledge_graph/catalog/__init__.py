"""Product reads: by SKU, all, by exact name, and which product a chat message names (exact, fuzzy)."""
