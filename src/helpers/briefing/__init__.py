"""The briefing's words, tables, chart, HTML and PDF."""
