"""Models of the recordings app (built by its own issue)."""
