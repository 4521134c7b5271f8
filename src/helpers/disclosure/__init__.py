"""Disclosure control: which cells of a response's tables are withheld, and the proof that none
can be worked out.

``tables`` (the records: Table, Link, Protection), ``suppression`` (``protect``: primary and
secondary suppression), ``audit`` (the attacker's integer programmes), ``highs`` (the one call to
the solver), ``outcomes`` (Home Office outcome groups), ``describe`` (the plain-words method note),
``across`` (``protect_across``: a draft audited with every published release of the log).
"""
