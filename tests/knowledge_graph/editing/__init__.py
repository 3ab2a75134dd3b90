"""Tests of knowledge_graph/editing/."""
