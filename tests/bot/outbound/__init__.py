"""Tests of bot/outbound: pacing and send budgets."""
