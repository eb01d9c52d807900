"""Real measurements of goroutines and OS threads, recorded on a real machine.

``data/threads-vs-goroutines/`` holds two small programs and the script that ran them:
``goroutines/main.go`` (creation time, ``runtime.MemStats`` stack bytes per goroutine,
stack growth with recursion depth, channel ping-pong) and ``threads.c`` (pthread
create+join, RSS and virtual memory per thread, futex and pipe ping-pong, on one CPU
and across CPUs). ``record.py`` builds both, runs each several times as fresh processes
and writes ``results.json`` with the medians, every sample, the machine facts and the
compiler/runtime versions. Chapter 01 puts these numbers next to the model.

This module only reads that file. :func:`load_thread_measurements` returns the JSON as
a dict and adds ``summary``: one flat dict of medians under names that say what they
compare, so a chapter can print a table without walking the nested structure.

The numbers belong to the machine that recorded them (see ``machine``): on a virtual
machine with two vCPUs, a cross-CPU wake-up is far slower than on bare metal, and
creation costs include page faults of a fresh process. Re-record on your own machine
with ``python3 data/threads-vs-goroutines/record.py``.

Example
-------
>>> m = load_thread_measurements()
>>> s = m["summary"]
>>> s["goroutine_stack_bytes"]            # a new goroutine's stack: stackMin = 2 KiB
2048.0
>>> s["thread_stack_virtual_bytes"] == m["pthreads"]["default_stack_bytes"]
True
>>> s["goroutine_switch_ns"] < s["thread_switch_same_cpu_ns"]
True
"""
from __future__ import annotations

import json
from pathlib import Path

__all__ = ["load_thread_measurements", "DEFAULT_PATH"]

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "threads-vs-goroutines" / "results.json"

# summary name -> (section, field) of a measured figure whose median is reported
_SUMMARY = {
    "goroutine_create_ns": ("go", "create_blocked_ns"),
    "goroutine_create_run_exit_ns": ("go", "create_run_exit_ns"),
    "goroutine_stack_bytes": ("go", "stack_inuse_per_goroutine_bytes"),
    "goroutine_sys_bytes": ("go", "sys_per_goroutine_bytes"),
    "goroutine_switch_ns": ("go", "chan_pingpong_gomaxprocs1_ns"),
    "goroutine_switch_gomaxprocs2_ns": ("go", "chan_pingpong_gomaxprocs2_ns"),
    "thread_create_ns": ("pthreads", "create_blocked_ns"),
    "thread_create_join_ns": ("pthreads", "create_join_ns"),
    "thread_rss_bytes": ("pthreads", "rss_per_thread_bytes"),
    "thread_vm_bytes": ("pthreads", "vm_per_thread_bytes"),
    "thread_switch_same_cpu_ns": ("pthreads", "futex_pingpong_same_cpu_ns"),
    "thread_switch_any_cpu_ns": ("pthreads", "futex_pingpong_any_cpu_ns"),
    "thread_pipe_switch_same_cpu_ns": ("pthreads", "pipe_pingpong_same_cpu_ns"),
    "thread_pipe_switch_any_cpu_ns": ("pthreads", "pipe_pingpong_any_cpu_ns"),
}
_REQUIRED = ("machine", "versions", "go", "go_adaptivestackstart0", "pthreads")


def _median(section: dict, field: str, where: str) -> float:
    try:
        value = section[field]["median"]
    except (KeyError, TypeError):
        raise ValueError(f"{where}: missing the measured field {field!r} (with a 'median')") from None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ValueError(f"{where}: {field}.median must be a number, got {value!r}")
    return float(value)


def load_thread_measurements(path: str | Path | None = None) -> dict:
    """Read ``results.json`` written by ``data/threads-vs-goroutines/record.py``.

    Returns the file's dict (sections ``machine``, ``versions``, ``go``,
    ``go_adaptivestackstart0``, ``pthreads``) plus ``summary``: medians under the names
    in this module's ``_SUMMARY`` table, ``thread_stack_virtual_bytes`` (the default
    pthread stack, i.e. RLIMIT_STACK) and ``goroutine_stack_growth``: a list of
    ``(locals_bytes, stack_bytes)`` pairs measured with ``adaptivestackstart=0``.
    Raises ``ValueError`` naming the path and the missing or malformed field.

    >>> s = load_thread_measurements()["summary"]
    >>> [b for _, b in s["goroutine_stack_growth"]][-1] >= 64 * 1024
    True
    """
    path = DEFAULT_PATH if path is None else Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"path: {path} does not exist (run data/threads-vs-goroutines/record.py)") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"path: {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"path: {path} must hold a JSON object")
    for section in _REQUIRED:
        if not isinstance(data.get(section), dict):
            raise ValueError(f"{path}: missing section {section!r}")
    summary = {name: _median(data[sec], field, f"{path} [{sec}]")
               for name, (sec, field) in _SUMMARY.items()}
    stack = data["pthreads"].get("default_stack_bytes")
    if not isinstance(stack, int) or stack <= 0:
        raise ValueError(f"{path} [pthreads]: default_stack_bytes must be a positive integer")
    summary["thread_stack_virtual_bytes"] = stack
    growth = data["go_adaptivestackstart0"].get("stack_growth")
    if not isinstance(growth, list) or not growth:
        raise ValueError(f"{path} [go_adaptivestackstart0]: missing stack_growth")
    summary["goroutine_stack_growth"] = [
        (int(step["locals_bytes"]), _median(step, "stack_inuse_per_goroutine",
                                             f"{path} [stack_growth]"))
        for step in growth]
    data["summary"] = summary
    return data
