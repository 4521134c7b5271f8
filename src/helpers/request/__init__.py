"""One request: its parameters file and the briefing's steps, in the order data flows."""
