"""gmplab.sched — goroutine programs, the Go GMP scheduler kernel and ``SchedTrace``.

* :mod:`gmplab.sched.ops` — the op language (``cpu``, ``syscall``, ``netwait``, ``sleep``,
  ``send``, ``recv``, ``spawn``, ``gosched``, ``exit``) and :class:`Workload`.
* :mod:`gmplab.sched.workloads` — the standard workloads by name.
* :mod:`gmplab.sched.kernel` — the Numba event loop, rule by rule after runtime/proc.go.
* :mod:`gmplab.sched.replay` — state rebuilt from the log (checkpoints + jitted replay).
* :mod:`gmplab.sched.trace` — :func:`simulate` and :class:`SchedTrace`.

Example
-------
>>> import gmplab
>>> from gmplab.sched import workloads
>>> trace = gmplab.simulate(workloads.fanout(300, 20_000), gomaxprocs=1)
>>> trace.next_event(0, ["runqputslow"]) > 0
True
"""
from gmplab.sched import ops, workloads
from gmplab.sched.kernel import (COST_NAMES, DEFAULT_COSTS, EVENT_KINDS, EXECUTE_SOURCES,
                                 M_STATUS, WAIT_REASONS, warmup)
from gmplab.sched.ops import Workload
from gmplab.sched.trace import SchedState, SchedTrace, simulate

#: Keyword options of :func:`simulate` besides the costs: ``max_threads``
#: (debug.SetMaxThreads) and ``ncpu`` (hardware cores shared by the running Ms).
SIMULATE_OPTIONS = ("max_threads", "ncpu")

#: G status names by Go's numbering (runtime2.go): 5 and 7+ are unused in the model.
G_STATUS = {0: "idle", 1: "runnable", 2: "running", 3: "syscall", 4: "waiting", 6: "dead"}
#: P status names (Go 1.25: 2 = _Psyscall).
P_STATUS = {0: "idle", 1: "running", 2: "syscall"}

__all__ = ["simulate", "SchedTrace", "SchedState", "Workload", "ops", "workloads", "EVENT_KINDS",
           "M_STATUS", "WAIT_REASONS", "G_STATUS", "P_STATUS", "DEFAULT_COSTS", "COST_NAMES",
           "EXECUTE_SOURCES", "SIMULATE_OPTIONS", "warmup"]
