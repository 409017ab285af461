"""Models of the billing app (built by its own issue)."""
