"""Chat-text helpers that never import rasa: both runtimes (Rasa's 3.10, the gateway's 3.11) use them."""
