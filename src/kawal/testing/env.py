"""Loaded by pytest with ``-p kawal.testing.env`` before Django is set up.

The suite always runs with test settings unless the caller chose otherwise.
"""

import os
import re

os.environ.setdefault("KAWAL_ENV", "test")

# Under pytest-xdist each worker empties the cache between tests; give each its
# own Redis database (9 -> 9, 10, ...) so one worker never clears another's
# counters mid-test. The database names get the worker suffix from pytest-django.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_cache = os.environ.get("KAWAL_CACHE_URL", "")
_match = re.fullmatch(r"(redis://[^/]+/)(\d+)", _cache)
if _worker.startswith("gw") and _match:
    _index = int(_match.group(2)) + int(_worker[2:])
    os.environ["KAWAL_CACHE_URL"] = f"{_match.group(1)}{_index}"
