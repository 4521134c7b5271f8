"""A seeded generator of synthetic extracts in the documented formats, and the truth behind them.

generator (generate_extracts) runs the steps in order, all drawing from one seeded generator:
crimes (with texts) -> involvements -> charges -> people -> frames (the truth's tables) -> render.
contract, classes, names and templates hold the tables; truth the SyntheticTruth and the answer
to a request computed from it.
"""
