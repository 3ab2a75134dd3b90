"""Tests of bot/adapters: Rasa, graph answers, the QA lane, encoder warm-up."""
