"""Content for the streamer: preview, run-of-show, recap with highlight moments."""
