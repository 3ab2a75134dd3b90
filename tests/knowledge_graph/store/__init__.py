"""Tests of knowledge_graph/store/."""
