"""Tests of knowledge_graph/answers/."""
