"""keep_freed_memory: applied once per process on Linux with glibc, left alone when switched off."""

import os
import platform
import subprocess
import sys

import pytest

from spikenas.allocator import keep_freed_memory

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="glibc's mallopt")
def test_applied_on_glibc_and_switched_off_by_the_environment():
    assert keep_freed_memory() is True and keep_freed_memory() is True
    code = "from spikenas.allocator import keep_freed_memory; print(keep_freed_memory())"
    env = {**os.environ, "SPIKENAS_KEEP_FREED_MEMORY": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr
