"""The evidence search's parts; :mod:`helpers.analysis.evidence` is its entry point.

``terms`` (the compiled terms: every form of every word, what a text's word can stand for),
``prefilter`` (which texts could mention a term, over all texts at once), ``phrases`` (a term's
words in order in one text), ``negation`` (whether a mention is negated).
"""
