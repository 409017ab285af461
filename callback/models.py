"""Models of the callback app (built by its own issue)."""
