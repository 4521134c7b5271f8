import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# the tests' extract cache is their own, never the project's .cache/ (and is thrown away)
os.environ.setdefault("FOI_CACHE_DIR", tempfile.mkdtemp(prefix="foi-test-cache-"))
