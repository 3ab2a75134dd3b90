"""Tests of knowledge_graph/catalog/."""
