"""Tests of knowledge_graph/model/."""
