"""Views of the recordings app, one module per page: `recordings` (the list, playing, ZIP, retention), `push`, `ftp`."""
