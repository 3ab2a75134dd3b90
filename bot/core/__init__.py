"""The chat pipeline: events in, answers out; no web framework, metrics library or graph driver."""
