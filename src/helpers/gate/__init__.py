"""The release gate: nothing leaves `release/` unchecked; the manifest."""
