"""The `foi-briefing` command: the CLI, one request's steps, kernels, several requests at once.

Every way into the runner passes here first, before any data library is imported: the settings
below are made then, so the runner and the kernels and cache builders it starts (which inherit
them) all run with them. A user's own setting wins. Why each: docs/performance.md.
"""

import os

# numpy's OpenBLAS threads busy-wait for work, and nothing here does linear algebra
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Arrow's memory from jemalloc, handing freed pages back once unused for 300 ms: less processor time
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
os.environ.setdefault("JE_ARROW_MALLOC_CONF", "dirty_decay_ms:300,muzzy_decay_ms:0")
