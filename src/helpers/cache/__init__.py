"""The extract cache: entries' keys and locks, the builder process, writing and reading entries,
and what the release gate's searches and look-ups found in an entry, kept in it (`searches`)."""
