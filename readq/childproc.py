"""Child processes readq starts (the ingest's parser, the index build) die with readq.

A child that outlives readq (its terminal closed, ``kill -9``, an ``os._exit`` after a hang-up)
would keep reading the library and burning a core for nothing. Each child calls
:func:`die_with_parent` first thing: on Linux the kernel then kills it when the parent goes
(``prctl(PR_SET_PDEATHSIG)``). Pipes to the parent remain the portable backstop (the children
stop at EOF on them). No Textual, no click: imported by core modules.
"""

from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1
"""From ``<linux/prctl.h>``."""


def die_with_parent(parent_pid: int | None = None) -> bool:
    """Ask the kernel to SIGKILL this process when its parent ends; True if it will.

    ``parent_pid`` closes the race with a parent that ended before the call: if our parent is
    no longer that process, this one exits at once. The death signal follows the parent
    *thread* that started the child: start children from a thread that outlives them (the
    threads readq starts them from wait for them).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # the parent is already gone
    return True


__all__ = ["die_with_parent"]
