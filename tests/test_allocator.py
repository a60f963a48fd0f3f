"""keep_freed_memory: applied on Linux with glibc for work with small tensors, left alone when switched off."""

import os
import platform
import subprocess
import sys

import pytest

from spikenas.allocator import KEEP_UP_TO, keep_freed_memory
from spikenas.search.config import SearchConfig
from spikenas.search.run import scoring_job

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="glibc's mallopt")
def test_applied_on_glibc_and_switched_off_by_the_environment():
    assert keep_freed_memory() is True and keep_freed_memory() is True
    code = "from spikenas.allocator import keep_freed_memory; print(keep_freed_memory())"
    env = {**os.environ, "SPIKENAS_KEEP_FREED_MEMORY": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.skipif(not GLIBC, reason="glibc's mallopt")
def test_freed_memory_is_kept_only_for_work_with_small_tensors():
    """Tensors of hundreds of megabytes fragment a heap that keeps them (the SNASNet paper's scoring was killed
    for memory): above KEEP_UP_TO malloc gets glibc's defaults back, and a later small run keeps again."""
    assert keep_freed_memory(KEEP_UP_TO) is True
    assert keep_freed_memory(KEEP_UP_TO + 1) is False
    assert keep_freed_memory(0) is True


def test_a_search_knows_its_candidates_largest_tensor():
    """scoring_job measures a candidate's largest layer output on the meta device: for SNASNet, the
    down-sampling convolution's, 2C channels at the input's resolution, over T x batch (floats)."""
    cfg = SearchConfig.from_dict({"space": "snasnet", "strategy": "random", "score": "sahd", "dataset": "digits",
                                  "candidates": 2, "timesteps": 3, "batch_size": 16, "channels": 8, "seed": 0})
    job = scoring_job(cfg)
    assert job.largest_tensor == 4 * 3 * 16 * (2 * 8) * 8 * 8  # digits are 8x8
