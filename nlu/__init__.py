"""Reading chat: text/ holds the helpers both runtimes import, rasa/ the Rasa runtime's own code."""
