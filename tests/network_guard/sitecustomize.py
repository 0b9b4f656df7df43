"""Loaded by every Python child process of the tests (tests/conftest.py puts this folder on
PYTHONPATH): the same no-network guard as in the test process itself."""

import os

if os.environ.get("OPORA_NETWORK_RECORD"):
    import opora_network_guard

    opora_network_guard.install()
