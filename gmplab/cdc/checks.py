"""CDC checkers (txn-model.md §7.8, ResolvedTS.tla ResolvedConsistency), judged on the
merge output and the history:

=================  ===========================================================================
check              rule
=================  ===========================================================================
emit_order         first-time emitted rows never go back in commit_ts (one table)
resolved_order     no row at or below a resolved marker is emitted after that marker
completeness       every committed row of the history is emitted at least once
monotone           each region's RESOLVED values, the frontier and the checkpoint never go back
=================  ===========================================================================

Duplicates are allowed (TiCDC is at-least-once) and counted in the report.

Example
-------
>>> from gmplab import txn, cdc
>>> h = txn.simulate(txn.workloads.bank(txns=10, mode="optimistic"), regions=2)
>>> s = cdc.streams(h, min_ts_interval=5)
>>> print(cdc.check(h, s, cdc.merge(s)).ok)
True
"""
from __future__ import annotations

import numpy as np

import importlib

# the kernel module; the package re-exports the function ``merge`` under the same name
M = importlib.import_module("gmplab.cdc.merge")
from gmplab.txn import kernel as K
from gmplab.txn.checks import CheckReport, Violation

__all__ = ["check", "CDC_CHECKS"]

CDC_CHECKS = ("emit_order", "resolved_order", "completeness", "monotone")


class CdcReport(CheckReport):
    duplicates: int = 0

    def __str__(self) -> str:
        head = "all CDC checks pass" if self.ok else f"{len(self.violations)} CDC violation(s)"
        lines = [head + f" ({self.duplicates} duplicate row(s), allowed: at-least-once)"]
        for name in CDC_CHECKS:
            n = len(self.by_check(name))
            lines.append(f"  {name:<16s} {'ok' if n == 0 else f'{n} violation(s)'} "
                         f"({self.checked.get(name, 0)} checked)")
        for v in self.violations[:30]:
            lines.append("  " + str(v))
        if len(self.violations) > 30:
            lines.append(f"  ... {len(self.violations) - 30} more")
        return "\n".join(lines)


def check(h, s, m) -> CdcReport:
    """Check merge output ``m`` of streams ``s`` built from history ``h``. Violations name
    input-stream positions (``steps``)."""
    rep = CdcReport()
    rep.duplicates = m.duplicates
    V = rep.violations
    rows = m.rows
    n = rows["commit_ts"].size
    # first-time rows only: duplicates after a re-subscription may repeat an older row
    pairs = rows["key"] * (1 << 40) + rows["start_ts"]
    _, first = np.unique(pairs, return_index=True)
    is_first = np.zeros(n, dtype=bool)
    is_first[first] = True
    ct = rows["commit_ts"]
    fi = np.flatnonzero(is_first)
    rep.checked["emit_order"] = int(fi.size)
    back = np.flatnonzero(np.diff(ct[fi]) < 0)
    for j in back[:100]:
        a, b = fi[j], fi[j + 1]
        V.append(Violation("emit_order", f"row commit_ts {int(ct[b])} emitted after {int(ct[a])}",
                           (int(rows["input"][a]), int(rows["input"][b]))))
    # each row must be above the last marker emitted before it
    mk = m.markers
    rep.checked["resolved_order"] = int(n)
    last_marker = np.full(n, -1, dtype=np.int64)
    if mk["resolved_ts"].size:
        # marker j is emitted after rows[:rows_before[j]]; rows at index >= rows_before[j] follow it
        idx = np.searchsorted(mk["rows_before"], np.arange(n), side="right") - 1
        has = idx >= 0
        last_marker[has] = mk["resolved_ts"][idx[has]]
    late = np.flatnonzero(is_first & (ct <= last_marker))
    for j in late[:100]:
        V.append(Violation("resolved_order", f"row commit_ts {int(ct[j])} (key {int(rows['key'][j])}) "
                           f"arrives after resolved marker {int(last_marker[j])}",
                           (int(rows["input"][j]),)))
    # completeness
    e = h.events
    cm = ((e["kind"] == K.K_COMMIT) | ((e["kind"] == K.K_RESOLVE_LOCK) & (e["ts2"] > 0))) \
        & (e["result"] == K.R_OK)
    want = np.unique(e["key"][cm] * (1 << 40) + e["ts1"][cm])
    rep.checked["completeness"] = int(want.size)
    missing = np.setdiff1d(want, pairs)
    for p in missing[:100]:
        V.append(Violation("completeness", f"committed row key {int(p >> 40)} start_ts "
                           f"{int(p & ((1 << 40) - 1))} never emitted"))
    # monotone
    ev = s.events
    res = ev["op"] == M.OP_RESOLVED
    cnt = 0
    for r in range(s.regions):
        sel = np.flatnonzero(res & (ev["region"] == r))
        order = sel[np.argsort(ev["seq"][sel], kind="stable")]
        vals = ev["commit_ts"][order]
        cnt += vals.size
        for j in np.flatnonzero(np.diff(vals) < 0)[:10]:
            V.append(Violation("monotone", f"region {r} resolved ts goes back {int(vals[j])} -> "
                               f"{int(vals[j + 1])}", (int(order[j]), int(order[j + 1]))))
    for name, arr in (("frontier", m.frontier), ("checkpoint", m.checkpoint)):
        cnt += arr.size
        for j in np.flatnonzero(np.diff(arr) < 0)[:10]:
            V.append(Violation("monotone", f"{name} goes back {int(arr[j])} -> {int(arr[j + 1])}"))
    rep.checked["monotone"] = cnt
    return rep
