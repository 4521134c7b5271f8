"""A seeded generator of synthetic extracts in the documented formats, and the truth behind them.

generator (generate_extracts) runs the steps in order, all drawing from one seeded generator:
crimes (with texts) -> involvements -> charges -> people -> frames (the truth's tables) -> render;
mentions plants words a request may search for in some texts, from a stream of its own.
contract, classes, names and templates hold the tables; truth the SyntheticTruth and the answer
to a request of today's shape computed from it, truth_tables the answer to a request's `tables:`.
"""
