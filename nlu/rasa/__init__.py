"""Rasa-only code (Python 3.10 runtime): config.yml's components, the LiveroomInput channel, the launcher."""
