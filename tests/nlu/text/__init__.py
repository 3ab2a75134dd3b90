"""Tests of nlu/text: the chat-text helpers both runtimes import."""
