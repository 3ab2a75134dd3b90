"""Replies on their way to the platforms: per-platform pacing, send budgets and gateway shards."""
