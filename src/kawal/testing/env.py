"""Loaded by pytest with ``-p kawal.testing.env`` before Django is set up.

The suite always runs with test settings unless the caller chose otherwise.
"""

import os

os.environ.setdefault("KAWAL_ENV", "test")
