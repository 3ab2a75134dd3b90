"""Question answering over the product graph."""
