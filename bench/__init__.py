"""Benchmarks and evaluations (``make bench``); importable so tests can reuse the evaluators."""
