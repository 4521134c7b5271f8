"""The extract cache: entries' keys and locks, the builder process, writing and reading entries."""
