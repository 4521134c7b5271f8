"""Counts and evidence: counting, the free-text search, the reviewer's worklist, exploration."""
