"""The label of a table's totals, apart from the tables' records (`helpers.disclosure.tables`):
the chart process (`helpers.briefing.chart_worker`) reads it and loads no pandas."""

#: the row and column of a table's totals
TOTAL = "Total"
