#!/usr/bin/env python3
"""Record GODEBUG=schedtrace output of gmplab's standard workloads on the real Go runtime.

Usage (from the repository root)::

    apt-get install -y golang-go        # Debian/Ubuntu; any Go >= 1.19 works
    python3 data/go/record.py           # writes data/go-runtime/ (waits for idle CPUs before each run)

What it does:

1. builds ``data/go/workloads`` (standard library only) with no network access:
   ``GOTOOLCHAIN=local GOPROXY=off GOFLAGS=`` and throw-away ``GOPATH``/``GOCACHE``;
2. calibrates the CPU-burn loop once (``-workload=calibrate``) so every CPU burst is a
   fixed amount of work, not a wall-clock spin, and probes (``-workload=probe``) how long
   ``usleep(3)``, ``usleep(20)`` (the runtime's back-off and sysmon sleeps) and the
   blocking timerfd read really take on this machine;
3. runs every workload in ``WORKLOADS`` at GOMAXPROCS 1, 2, 4 and 8, ``RUNS`` times each,
   with ``GODEBUG=schedtrace=1`` (a line per millisecond, or per sysmon tick once sysmon
   has backed off), plus one short ``scheddetail=1`` case;
4. writes one text file per run, ``data/go-runtime/<workload>/gomaxprocs<P>-run<k>.txt``:
   ``#`` header lines (workload, parameters, command), the program's ``GMPLAB ...``
   result line (makespan, start offset), then the raw schedtrace lines exactly as the
   runtime printed them; and ``data/go-runtime/machine.json`` with the Go version,
   machine facts and the workload parameters.

Only the Python standard library is used. The recordings are small (a few KB per run)
and committed, so the workbook never needs Go.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "go-runtime"
GOMAXPROCS = (1, 2, 4, 8)
NICE = [0]  # set from --nice in main(), written into every header
RUNS = 3

# The parameters of each standard workload; gmplab.sched.fidelity simulates the same ones.
WORKLOADS = {
    "fanout": {"n": 2000, "cpu_ns": 20_000},
    "syscall_mix": {"n": 16, "rounds": 20, "cpu_ns": 100_000, "syscall_ns": 500_000},
    "pingpong": {"pairs": 8, "rounds": 10_000},
    "pipeline": {"stages": 4, "items": 200, "cpu_ns": 50_000},
    "cpu_hogs": {"n": 6, "duration_ns": 40_000_000},
}
DETAIL = ("syscall_mix", {"n": 4, "rounds": 5, "cpu_ns": 100_000, "syscall_ns": 500_000}, 2)


def go_env(tmp: Path) -> dict:
    env = dict(os.environ)
    env.update(GOPATH=str(tmp / "gopath"), GOCACHE=str(tmp / "gocache"), GOTOOLCHAIN="local",
               GOPROXY="off", GOFLAGS="", GO111MODULE="on", CGO_ENABLED="0")
    for var in ("GODEBUG", "GOMAXPROCS", "GOGC"):
        env.pop(var, None)
    return env


def machine_facts() -> dict:
    def read(path: str) -> str:
        try:
            return Path(path).read_text()
        except OSError:
            return ""
    cpuinfo = read("/proc/cpuinfo")
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), platform.processor())
    meminfo = read("/proc/meminfo").split("\n", 1)[0]
    os_release = dict(line.split("=", 1) for line in read("/etc/os-release").splitlines()
                      if "=" in line)
    return {
        "cpu_model": model,
        "logical_cpus": os.cpu_count(),
        "cpus_allowed": len(os.sched_getaffinity(0)),
        "kernel": platform.release(),
        "os": os_release.get("PRETTY_NAME", "").strip('"'),
        "mem_total": meminfo.split(":", 1)[-1].strip(),
        "machine": platform.machine(),
        "loadavg_at_start": read("/proc/loadavg").strip(),
    }


def loadavg() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0


def idle_cpus(interval: float = 0.5) -> float:
    """How many CPUs were idle over the last ``interval`` seconds (from /proc/stat)."""
    def snapshot() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return fields[3] + fields[4], sum(fields[:8])  # idle + iowait, total
    idle0, total0 = snapshot()
    time.sleep(interval)
    idle1, total1 = snapshot()
    ncpu = os.cpu_count() or 1
    return ncpu * (idle1 - idle0) / max(total1 - total0, 1)


def wait_for_quiet(min_idle: float, timeout_s: float) -> float:
    """Wait until at least ``min_idle`` CPUs sat idle for half a second (or timeout_s).

    Other processes take cores away from the recorded program: on a 2-core machine one
    busy neighbour turns GOMAXPROCS=2 into one core's worth of progress. Each run is
    short (well under a second), so a quiet half-second just before it is a good sign;
    the idle CPUs and the load average are written into the run's header.
    """
    deadline = time.monotonic() + timeout_s
    idle = idle_cpus()
    while idle < min_idle and time.monotonic() < deadline:
        idle = idle_cpus()
    return idle


def flags(params: dict) -> list[str]:
    return [f"-{key}={value}" for key, value in params.items()]


def raised_priority(nice: int):
    """A preexec function giving the child a priority of ``nice`` (None if 0).

    With autogroup scheduling (Linux's default for desktop-style kernels) CPU time is
    shared fairly between *sessions* first, so a nice value alone does not help against
    a busy neighbour in another session: the child starts its own session and sets that
    session's autogroup nice as well. Every thread the program creates inherits both.
    Needs root for negative values.
    """
    if not nice:
        return None

    def preexec() -> None:
        os.setsid()
        try:
            Path("/proc/self/autogroup").write_text(str(nice))
        except OSError:
            pass  # no autogroup support: the plain nice value still applies
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    return preexec


def run_one(binary: Path, env: dict, workload: str, params: dict, procs: int,
            iters_per_us: float, godebug: str, nice: int = 0) -> tuple[str, str, list[str]]:
    cmd = [str(binary), f"-workload={workload}", *flags(params), f"-iters_per_us={iters_per_us}"]
    run_env = dict(env, GOMAXPROCS=str(procs), GODEBUG=godebug)
    proc = subprocess.run(cmd, env=run_env, capture_output=True, text=True, timeout=120,
                          preexec_fn=raised_priority(nice))
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout, proc.stderr, cmd


def write_run(path: Path, workload: str, params: dict, procs: int, run: int, godebug: str,
              cmd: list[str], stdout: str, stderr: str, load: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    shown = " ".join(["workloads", *cmd[1:]])
    header = [
        f"# gmplab recording: workload={workload} gomaxprocs={procs} run={run}",
        "# params: " + " ".join(f"{k}={v}" for k, v in params.items()),
        f"# command: GOMAXPROCS={procs} GODEBUG={godebug} {shown}",
        f"# idle CPUs just before the run: {load:.2f}; load average: {loadavg():.2f}; "
        f"nice: {NICE[0]}",
    ]
    path.write_text("\n".join(header) + "\n" + stdout + stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description="Record schedtrace output of the standard workloads.")
    parser.add_argument("--min-idle", type=float, default=(os.cpu_count() or 1) - 0.2,
                        help="wait before each run until this many CPUs were idle for 0.5 s")
    parser.add_argument("--wait", type=float, default=120.0,
                        help="give up waiting for a quiet machine after this many seconds per run")
    parser.add_argument("--nice", type=int, default=0,
                        help="run the workloads at this nice value (negative needs root): on a "
                             "shared machine -15 keeps neighbours from taking the cores")
    parser.add_argument("--out", type=Path, default=OUT,
                        help="directory to write (default: data/go-runtime next to this script)")
    args = parser.parse_args()
    out_dir = args.out
    NICE[0] = args.nice
    go = shutil.which("go")
    if go is None:
        print("record.py needs Go: apt-get update && apt-get install -y golang-go", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="gmplab-go-") as tmpdir:
        tmp = Path(tmpdir)
        env = go_env(tmp)
        version = subprocess.run([go, "version"], env=env, capture_output=True, text=True,
                                 check=True).stdout.strip()
        binary = tmp / "workloads"
        subprocess.run([go, "build", "-o", str(binary), "."], cwd=HERE / "workloads", env=env,
                       check=True)
        facts = machine_facts()
        niced = raised_priority(args.nice)
        cal = subprocess.run([str(binary), "-workload=calibrate"], env=env, capture_output=True,
                             text=True, check=True, preexec_fn=niced).stdout.split()
        iters_per_us = round(float(cal[-1].split("=", 1)[1]), 3)
        print(f"{version}; burn loop {iters_per_us} iterations/us", file=sys.stderr)
        probe_out = subprocess.run(
            [str(binary), "-workload=probe", f"-syscall_ns={WORKLOADS['syscall_mix']['syscall_ns']}"],
            env=dict(env, GOMAXPROCS="1"), capture_output=True, text=True, check=True,
            preexec_fn=niced).stdout
        probes = {k: int(v) for k, v in (t.split("=", 1) for t in probe_out.split()[2:])}
        print(f"probes: {probes}", file=sys.stderr)

        files = []
        for workload, params in WORKLOADS.items():
            for procs in GOMAXPROCS:
                for run in range(1, RUNS + 1):
                    load = wait_for_quiet(args.min_idle, args.wait)
                    out, err, cmd = run_one(binary, env, workload, params, procs,
                                            iters_per_us, "schedtrace=1", args.nice)
                    rel = Path(workload) / f"gomaxprocs{procs}-run{run}.txt"
                    write_run(out_dir / rel, workload, params, procs, run, "schedtrace=1", cmd,
                              out, err, load)
                    files.append(str(rel))
                    print(f"  {rel}: {out.strip()}", file=sys.stderr)
                    time.sleep(0.2)  # let the other core settle between runs

        workload, params, procs = DETAIL
        load = wait_for_quiet(args.min_idle, args.wait)
        out, err, cmd = run_one(binary, env, workload, params, procs, iters_per_us,
                                "schedtrace=1,scheddetail=1", args.nice)
        rel = Path("scheddetail") / f"{workload}-gomaxprocs{procs}.txt"
        write_run(out_dir / rel, workload, params, procs, 1, "schedtrace=1,scheddetail=1", cmd,
                  out, err, load)
        files.append(str(rel))

        facts["loadavg_at_end"] = Path("/proc/loadavg").read_text().strip()
        meta = {
            "go_version": version,
            "recorded_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": facts,
            "iters_per_us": iters_per_us,
            "probes": probes,
            "gomaxprocs": list(GOMAXPROCS),
            "runs": RUNS,
            "godebug": "schedtrace=1",
            "min_idle_cpus": args.min_idle,
            "nice": args.nice,
            "workloads": WORKLOADS,
            "scheddetail": {"workload": DETAIL[0], "params": DETAIL[1], "gomaxprocs": DETAIL[2],
                            "file": str(rel)},
            "files": files,
        }
        (out_dir / "machine.json").write_text(json.dumps(meta, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
