#!/usr/bin/env python3
"""Measure goroutines against OS threads on this machine and write results.json.

Usage (from the repository root; needs gcc and Go >= 1.19)::

    apt-get install -y gcc golang-go
    python3 data/threads-vs-goroutines/record.py [--runs 5]

Builds ``goroutines/`` (Go, standard library only, offline: ``GOTOOLCHAIN=local
GOPROXY=off``, throw-away ``GOPATH``/``GOCACHE``) and ``threads.c`` (``gcc -O2
-pthread``), runs each ``--runs`` times as fresh processes, and writes
``results.json`` next to this script:

- ``go``: per figure the median over runs and every sample (ns per goroutine
  creation, StackInuse bytes per goroutine, ns per channel hand-off, and the stack
  size observed at each recursion depth), once with the default ``GODEBUG`` and once
  with ``adaptivestackstart=0`` (so the doubling from the 2 KiB minimum is not hidden
  by recycled goroutines that start at the adaptive size);
- ``pthreads``: the same for threads (create+join, create of blocked threads, RSS and
  virtual memory per thread, futex and pipe ping-pong on one CPU and across CPUs);
- ``machine`` and ``versions``: CPU, core count, kernel, virtualisation hints, load
  average, gcc, glibc and Go versions.

Only the Python standard library is used.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
THREADS_ARGS = ["20000", "1000", "30000"]  # create+join iterations, blocked threads, round trips


def machine_facts() -> dict:
    def read(path: str) -> str:
        try:
            return Path(path).read_text()
        except OSError:
            return ""
    cpuinfo = read("/proc/cpuinfo")
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), platform.processor())
    os_release = dict(line.split("=", 1) for line in read("/etc/os-release").splitlines()
                      if "=" in line)
    return {
        "cpu_model": model,
        "logical_cpus": os.cpu_count(),
        "cpus_allowed": len(os.sched_getaffinity(0)),
        "hypervisor_flag": " hypervisor" in cpuinfo,
        "cpuidle_driver": read("/sys/devices/system/cpu/cpuidle/current_driver").strip(),
        "kernel": platform.release(),
        "os": os_release.get("PRETTY_NAME", "").strip('"'),
        "mem_total": read("/proc/meminfo").split("\n", 1)[0].split(":", 1)[-1].strip(),
        "page_size": os.sysconf("SC_PAGE_SIZE"),
        "loadavg_at_start": read("/proc/loadavg").strip(),
    }


# Settings and identifiers, not measurements: kept as plain values when every run agrees.
CONSTANT_KEYS = {"depth", "locals_bytes", "gomaxprocs", "default_stack_bytes", "guard_bytes",
                 "rlimit_stack_bytes", "threads_alive_at_peak"}


def aggregate(samples: list[dict]) -> dict:
    """Median and samples for every measured field; nested lists aggregated by position."""
    out = {}
    for key, first in samples[0].items():
        values = [s[key] for s in samples]
        if isinstance(first, (bool, str, dict)) or (key in CONSTANT_KEYS and len(set(values)) == 1):
            out[key] = first
        elif isinstance(first, (int, float)):
            out[key] = {"median": statistics.median(values), "samples": values}
        elif isinstance(first, list):
            out[key] = [aggregate([v[i] for v in values]) for i in range(len(first))]
    return out


def run_json(cmd: list[str], env: dict | None = None) -> dict:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per program")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be >= 1")
    go, gcc = shutil.which("go"), shutil.which("gcc")
    if go is None or gcc is None:
        print("record.py needs gcc and Go: apt-get install -y gcc golang-go", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="gmplab-tvg-") as tmpdir:
        tmp = Path(tmpdir)
        env = dict(os.environ, GOPATH=str(tmp / "gopath"), GOCACHE=str(tmp / "gocache"),
                   GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="", CGO_ENABLED="0")
        for var in ("GODEBUG", "GOMAXPROCS", "GOGC"):
            env.pop(var, None)
        subprocess.run([go, "build", "-o", str(tmp / "goroutines"), "."],
                       cwd=HERE / "goroutines", env=env, check=True)
        cflags = ["-O2", "-Wall", "-Wextra", "-pthread"]
        subprocess.run([gcc, *cflags, "-o", str(tmp / "threads"), str(HERE / "threads.c")],
                       check=True)
        facts = machine_facts()
        versions = {
            "go": subprocess.run([go, "version"], env=env, capture_output=True, text=True,
                                 check=True).stdout.strip(),
            "gcc": subprocess.run([gcc, "--version"], capture_output=True, text=True,
                                  check=True).stdout.splitlines()[0],
            "gcc_flags": " ".join(cflags),
            "python": platform.python_version(),
        }

        go_default, go_fixed, threads = [], [], []
        for run in range(args.runs):
            go_default.append(run_json([str(tmp / "goroutines")], env))
            go_fixed.append(run_json([str(tmp / "goroutines")],
                                     dict(env, GODEBUG="adaptivestackstart=0")))
            threads.append(run_json([str(tmp / "threads"), *THREADS_ARGS]))
            print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
            time.sleep(0.5)

    facts["loadavg_at_end"] = Path("/proc/loadavg").read_text().strip()
    versions["glibc"] = threads[0]["glibc_version"]
    result = {
        "recorded_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "runs": args.runs,
        "machine": facts,
        "versions": versions,
        "go": aggregate(go_default),
        "go_adaptivestackstart0": aggregate(go_fixed),
        "pthreads": aggregate(threads),
        "units": {
            "*_ns": "nanoseconds per goroutine/thread created or per one-way hand-off",
            "*_bytes": "bytes per goroutine or thread",
            "stack_growth": "StackInuse growth per goroutine blocked at that recursion depth "
                            "(locals_bytes = 256 bytes of locals per level, plus call overhead)",
        },
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
