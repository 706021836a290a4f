"""Child processes die with readq (``readq.childproc``), checked in fresh interpreters."""

from __future__ import annotations

import sys

import pytest
from support.subproc import python_in_subprocess


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_child_that_called_die_with_parent_dies_with_it() -> None:
    # The parent starts a child that sleeps after die_with_parent(), prints its pid, and is
    # killed with SIGKILL: the child must be gone within a second.
    result = python_in_subprocess(
        """
        import os, signal, subprocess, sys, time
        child_code = (
            "import os, sys, time\\n"
            "from readq.childproc import die_with_parent\\n"
            "assert die_with_parent(int(sys.argv[1]))\\n"
            "print(os.getpid(), flush=True)\\n"
            "time.sleep(60)\\n"
        )
        parent = subprocess.Popen(
            [sys.executable, "-c",
             "import subprocess, sys, time\\n"
             "import os\\n"
             f"c = subprocess.Popen([sys.executable, '-c', {child_code!r}, str(os.getpid())])\\n"
             "time.sleep(60)\\n"],
            stdout=subprocess.PIPE, text=True,
        )
        child = int(parent.stdout.readline())
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 5
        def alive(pid):
            try:
                state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
            except OSError:
                return False
            return state not in ("Z", "X")
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.02)
        print("gone" if not alive(child) else "alive")
        if alive(child):
            os.kill(child, signal.SIGKILL)
        """
    )
    assert result.stdout.strip().splitlines()[-1:] == ["gone"], result.stdout + result.stderr
