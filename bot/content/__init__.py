"""Content for the streamer (issue 19): preview, run-of-show, recap with highlight moments."""
