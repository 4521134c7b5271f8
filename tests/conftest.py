import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# the tests' extract cache is their own, never the project's .cache/ (and is thrown away)
os.environ.setdefault("FOI_CACHE_DIR", tempfile.mkdtemp(prefix="foi-test-cache-"))
# the tests' disclosure log is their own too: never the force's (outputs/disclosure-log/), even if
# FOI_LOG_DIR names it in the shell that runs them; a test that publishes sets its own
# (a folder of its own inside a temporary one: the public index is written beside the log)
os.environ["FOI_LOG_DIR"] = str(Path(tempfile.mkdtemp(prefix="foi-test-log-")) / "disclosure-log")
