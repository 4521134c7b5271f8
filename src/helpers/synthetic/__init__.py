"""A seeded generator of synthetic extracts in the documented formats."""
