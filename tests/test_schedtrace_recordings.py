"""gmplab.sched.schedtrace.parse on the committed real-runtime recordings in data/go-runtime.

Every file was written by data/go/record.py from a real Go run; these tests need no Go.
The invariants checked are ones the runtime guarantees when it prints (proc.go
``schedtrace`` reads the counters under ``sched.lock``): idle Ps never exceed
GOMAXPROCS, idle Ms never exceed all Ms, the local ring never exceeds 256, and in
scheddetail mode there is one P line per P and one M line per thread.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gmplab.sched.schedtrace import format_schedtrace, parse

ROOT = Path(__file__).resolve().parents[1] / "data" / "go-runtime"
META = json.loads((ROOT / "machine.json").read_text())
FILES = [ROOT / f for f in META["files"]]


def test_manifest_is_complete():
    assert len(FILES) == len(META["workloads"]) * len(META["gomaxprocs"]) * META["runs"] + 1
    assert all(f.exists() for f in FILES)
    assert META["go_version"].startswith("go version go1.")


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(ROOT)) for f in FILES])
def test_recording_parses_with_runtime_invariants(path):
    text = path.read_text()
    header = text.splitlines()[0]
    procs = int(header.split("gomaxprocs=")[1].split()[0])
    t = parse(text)
    assert len(t) >= 2
    assert t.style == "go1.19"  # Debian 12's Go 1.19 prints neither needspinning nor schedticks
    assert (t.gomaxprocs == procs).all()
    assert (np.diff(t.time_ms) >= 0).all()
    assert ((0 <= t.idleprocs) & (t.idleprocs <= procs)).all()
    assert ((0 <= t.idlethreads) & (t.idlethreads <= t.threads)).all()
    assert (t.spinningthreads <= t.threads).all()
    assert (t.threads >= 2).all()  # at least the main thread and sysmon
    assert ((0 <= t.local_runq) & (t.local_runq <= 256)).all()
    # what was parsed writes back byte for byte (a truncated final line excepted)
    sched = [line for line in text.splitlines() if line.startswith(("SCHED ", "  "))]
    assert format_schedtrace(t).splitlines() == sched[:len(sched) - len(t.dropped)]


def test_truncated_line_in_the_recordings_is_reported():
    dropped = [(f, parse(f.read_text()).dropped) for f in FILES]
    for f, d in dropped:
        if d:  # a process that exits while sysmon prints leaves half a line
            assert len(d) == 1 and d[0][1].startswith("SCHED")
            assert d[0][0] == len(f.read_text().splitlines())


def test_scheddetail_recording_is_consistent():
    meta = META["scheddetail"]
    t = parse((ROOT / meta["file"]).read_text())
    assert t.detailed and (t.gomaxprocs == meta["gomaxprocs"]).all()
    for r in range(len(t)):
        procs = t.procs["row"] == r
        machines = t.machines["row"] == r
        assert t.procs["id"][procs].tolist() == list(range(meta["gomaxprocs"]))
        assert machines.sum() == t.threads[r]                     # one M line per thread
        # npidle changes under sched.lock, P status outside it: pidleget takes a P off
        # the idle list before acquirep marks it running, and releasep marks it idle
        # before pidleput lists it, so a status-0 P may be in transit, never the reverse
        idle_ps = (t.procs["status"][procs] == 0).sum()
        assert t.idleprocs[r] <= idle_ps <= t.idleprocs[r] + 1
        # likewise an M is counted idle (mput) just before it blocks on its note, and
        # unlisted (mget) just before it wakes: at most one in transit either way
        idle_ms = machines & (t.machines["blocked"] == 1) & (t.machines["p"] < 0)
        assert abs(int(idle_ms.sum()) - int(t.idlethreads[r])) <= 1
        # allm is prepended on creation: newest M first
        assert (np.diff(t.machines["id"][machines]) < 0).all()
    # the workload's goroutines do block in the raw read: some G is in _Gsyscall (3)
    assert (t.goroutines["status"] == 3).any()
    assert (t.procs["status"] == 2).any()  # and its P sat in _Psyscall (Go <= 1.25)
