"""Tests of knowledge_graph/transfer/."""
