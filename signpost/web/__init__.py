"""The web front: widget assets, demo page, GP summary (and the staff console)."""
