"""Forms of the recordings app, one module per page: `recordings` (the list's filters, the retention) and `push`."""
