"""Tests of bot/core: the pipeline."""
