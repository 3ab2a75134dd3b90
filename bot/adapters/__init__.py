"""Implementations of the core's ports over other processes and libraries (Rasa, health, graph, encoders)."""
