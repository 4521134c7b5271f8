"""The `foi-briefing` command: the CLI, one request's steps, kernels, several requests at once."""
