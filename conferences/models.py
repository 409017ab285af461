"""Models of the conferences app (built by its own issue)."""
