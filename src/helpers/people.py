"""Which person records are the same individual.

The two systems hold several records for one individual: CMS has one nominal per individual;
Connect has a record per individual created from the CMS nominal (it carries the `Legacy Nominal
No`), and sometimes a duplicate created at a new crime, tied to the others only by the PNC ID.
Records that share a nominal number or a PNC ID are one individual: the connected components of
the graph whose nodes are record keys and identifiers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def resolve_individuals(
    person_keys: pd.Series,
    legacy_person_keys: pd.Series,
    pnc_ids: pd.Series,
    other_keys: pd.Series | None = None,
) -> pd.Series:
    """Map every person key to an individual ID.

    `person_keys`, `legacy_person_keys` and `pnc_ids` are aligned (one entry per person row):
    the row's own record key (`CMS:408657`, `Connect:PER7004775`), the key of the older system's
    record it was created from (or NA) and its normalised PNC ID (or NA). `other_keys` are keys
    seen elsewhere (a charge's person) that may have no person row. The individual ID is the
    smallest record key of the individual, so it is stable from run to run.
    """
    own = person_keys.astype("string")
    legacy = legacy_person_keys.astype("string")
    pnc = "PNC:" + pnc_ids.astype("string")
    extra = (other_keys.astype("string") if other_keys is not None else pd.Series([], dtype="string"))

    nodes = pd.Index(pd.concat([own, legacy, pnc, extra]).dropna().unique())
    edges = pd.concat(
        [
            pd.DataFrame({"a": own, "b": legacy}),
            pd.DataFrame({"a": own, "b": pnc}),
        ]
    ).dropna()
    a = nodes.get_indexer(edges["a"])
    b = nodes.get_indexer(edges["b"])
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(len(nodes), len(nodes)))
    _, component = connected_components(graph, directed=False)

    # name each component by its smallest record key (PNC nodes are not record keys)
    is_record = ~nodes.str.startswith("PNC:")
    names = (
        pd.Series(nodes[is_record], index=component[is_record])
        .groupby(level=0)
        .min()
    )
    keys = nodes[is_record]
    return pd.Series(names.reindex(component[is_record]).to_numpy(), index=keys, name="individual_id")
