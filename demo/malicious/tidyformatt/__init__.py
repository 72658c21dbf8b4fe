"""Looks like tidyformat (one letter more)."""
