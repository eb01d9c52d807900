"""Parse ``GODEBUG=schedtrace=X[,scheddetail=1]`` output into a table of NumPy columns.

What the runtime prints
-----------------------
sysmon calls ``schedtrace`` (proc.go) every X ms, rounded up to its own tick. Each call
prints one summary line; with ``scheddetail=1`` the summary ends after a few extra
scheduler fields and is followed by one line per P, per M and per G. Three summary
formats exist, and this module reads all of them:

``go1.25`` (Go 1.25 and tip)::

    SCHED 12ms: gomaxprocs=4 idleprocs=1 threads=9 spinningthreads=1 needspinning=0 idlethreads=3 runqueue=2 [ 5 0 1 0 ] schedticks=[ 812 455 1290 37 ]

``go1.21`` (``needspinning=`` but the old bracket list, no ``schedticks``)::

    SCHED 12ms: gomaxprocs=4 idleprocs=1 threads=9 spinningthreads=1 needspinning=0 idlethreads=3 runqueue=2 [5 0 1 0]

``go1.19`` (before ``needspinning=``; what Debian 12's Go 1.19 prints)::

    SCHED 12ms: gomaxprocs=4 idleprocs=1 threads=9 spinningthreads=1 idlethreads=3 runqueue=2 [5 0 1 0]

The style names say which release family prints that shape; the exact release that
added ``needspinning=`` is not pinned down, so a style is a shape, not a version claim.

Detailed mode (``scheddetail=1``) replaces the bracket list with
`` gcwaiting=.. nmidlelocked=.. stopwait=.. sysmonwait=..`` and adds indented lines::

      P0: status=1 schedtick=120 syscalltick=3 m=3 runqsize=1 gfreecnt=0 timerslen=0
      M3: p=0 curg=19 mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=false blocked=false lockedg=nil
      G19: status=2() m=3 lockedm=nil

Go 1.25 prints ``nil`` for a missing M/P/G and ``true``/``false`` for ``gcwaiting`` and
``sysmonwait``; Go 1.19 prints ``-1`` and ``0``/``1``. Both are read; the table keeps
integers (``-1`` = nil, 0/1 = false/true) and remembers the spelling, so
:func:`format_schedtrace` writes back exactly what was read.

The table
---------
:func:`parse` returns a :class:`SchedTraceTable`: one row per summary line, NumPy int64
columns named after the printed fields (``time_ms``, ``gomaxprocs``, ``idleprocs``,
``threads``, ``spinningthreads``, ``needspinning``, ``idlethreads``, ``runqueue``), plus
``local_runq`` and ``schedticks`` as ``(rows, max gomaxprocs)`` matrices. A value the
format does not print is ``-1`` (``needspinning`` before Go 1.21, ``schedticks`` before
1.25, a P beyond that line's gomaxprocs). In detailed mode the per-P ``runqsize`` and
``schedtick`` fill those matrices, and the P, M and G lines are kept in
``procs``/``machines``/``goroutines``: dicts of equal-length columns whose ``row`` column
points back at the summary line.

Real output is racy and can be cut short: the runtime reads the counters without
stopping the world, and a process that exits while sysmon is printing leaves a
truncated last line. A malformed *final* line is therefore dropped and reported in
``table.dropped``; a malformed line anywhere else raises ``ValueError`` naming the line.
Lines that are not schedtrace output (the program's own prints, ``#`` comments) are
skipped, because real captures interleave them.

Example
-------
>>> t = parse("SCHED 0ms: gomaxprocs=2 idleprocs=1 threads=4 spinningthreads=0 "
...           "needspinning=0 idlethreads=1 runqueue=3 [ 2 0 ] schedticks=[ 7 1 ]")
>>> t.style, int(t.runqueue[0]), t.local_runq[0].tolist(), t.schedticks[0].tolist()
('go1.25', 3, [2, 0], [7, 1])
>>> format_schedtrace(t) == ("SCHED 0ms: gomaxprocs=2 idleprocs=1 threads=4 spinningthreads=0 "
...     "needspinning=0 idlethreads=1 runqueue=3 [ 2 0 ] schedticks=[ 7 1 ]")
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

__all__ = ["SchedTraceTable", "parse", "format_schedtrace", "STYLES", "P_STATUS", "G_STATUS"]

STYLES = ("go1.25", "go1.21", "go1.19")

# runtime2.go: the numbers scheddetail prints for P and G states.
P_STATUS = {0: "_Pidle", 1: "_Prunning", 2: "_Psyscall", 3: "_Pgcstop", 4: "_Pdead"}
G_STATUS = {0: "_Gidle", 1: "_Grunnable", 2: "_Grunning", 3: "_Gsyscall", 4: "_Gwaiting",
            5: "_Gmoribund_unused", 6: "_Gdead", 7: "_Genqueue_unused", 8: "_Gcopystack",
            9: "_Gpreempted", 10: "_Gleaked", 11: "_Gdeadextra"}

SUMMARY_FIELDS = ("time_ms", "gomaxprocs", "idleprocs", "threads", "spinningthreads",
                  "needspinning", "idlethreads", "runqueue")
DETAIL_HEADER_FIELDS = ("gcwaiting", "nmidlelocked", "stopwait", "sysmonwait")

# proc.go: schedtrace. The head is common to every format; needspinning is optional.
_HEAD = re.compile(
    r"SCHED (?P<time_ms>\d+)ms: gomaxprocs=(?P<gomaxprocs>\d+) idleprocs=(?P<idleprocs>\d+)"
    r" threads=(?P<threads>\d+) spinningthreads=(?P<spinningthreads>\d+)"
    r"(?: needspinning=(?P<needspinning>\d+))? idlethreads=(?P<idlethreads>\d+)"
    r" runqueue=(?P<runqueue>\d+)")
_TAIL_125 = re.compile(r" \[ (?P<runq>(?:\d+ )+)\] schedticks=\[ (?P<ticks>(?:\d+ )+)\]$")
_TAIL_OLD = re.compile(r" \[(?P<runq>\d+(?: \d+)*)\]$")
_TAIL_DETAIL = re.compile(
    r" gcwaiting=(?P<gcwaiting>true|false|\d+) nmidlelocked=(?P<nmidlelocked>-?\d+)"
    r" stopwait=(?P<stopwait>-?\d+) sysmonwait=(?P<sysmonwait>true|false|\d+)$")
_NIL = r"(nil|-?\d+)"
_P_LINE = re.compile(
    r"P(?P<id>\d+): status=(?P<status>\d+) schedtick=(?P<schedtick>\d+)"
    r" syscalltick=(?P<syscalltick>\d+) m=(?P<m>" + _NIL + r") runqsize=(?P<runqsize>\d+)"
    r" gfreecnt=(?P<gfreecnt>\d+) timerslen=(?P<timerslen>\d+)$")
_M_LINE = re.compile(
    r"M(?P<id>\d+): p=(?P<p>" + _NIL + r") curg=(?P<curg>" + _NIL + r")"
    r" mallocing=(?P<mallocing>-?\d+) throwing=(?P<throwing>-?\d+) preemptoff=(?P<preemptoff>.*?)"
    r" locks=(?P<locks>-?\d+) dying=(?P<dying>-?\d+) spinning=(?P<spinning>true|false)"
    r" blocked=(?P<blocked>true|false) lockedg=(?P<lockedg>" + _NIL + r")$")
_G_LINE = re.compile(
    r"G(?P<id>\d+): status=(?P<status>\d+)\((?P<waitreason>.*)\) m=(?P<m>" + _NIL + r")"
    r" lockedm=(?P<lockedm>" + _NIL + r")$")
_DETAIL_START = re.compile(r"\s+[PMG]\d+: ")

P_COLUMNS = ("row", "id", "status", "schedtick", "syscalltick", "m", "runqsize", "gfreecnt",
             "timerslen")
M_COLUMNS = ("row", "id", "p", "curg", "mallocing", "throwing", "locks", "dying", "spinning",
             "blocked", "lockedg")
G_COLUMNS = ("row", "id", "status", "m", "lockedm")


@dataclass
class SchedTraceTable:
    """One row per ``SCHED`` line; see the module docstring for the columns.

    ``style`` is one of :data:`STYLES`; ``detailed`` says whether the trace came from
    ``scheddetail=1``. ``procs``, ``machines`` and ``goroutines`` hold the detail lines
    (empty dicts of empty arrays otherwise); ``machines['preemptoff']`` and
    ``goroutines['waitreason']`` are string arrays. ``dropped`` lists
    ``(line_number, text)`` of a truncated final line that was skipped.
    """

    time_ms: np.ndarray
    gomaxprocs: np.ndarray
    idleprocs: np.ndarray
    threads: np.ndarray
    spinningthreads: np.ndarray
    needspinning: np.ndarray
    idlethreads: np.ndarray
    runqueue: np.ndarray
    local_runq: np.ndarray
    schedticks: np.ndarray
    style: str
    detailed: bool
    gcwaiting: np.ndarray
    nmidlelocked: np.ndarray
    stopwait: np.ndarray
    sysmonwait: np.ndarray
    procs: dict = field(default_factory=dict)
    machines: dict = field(default_factory=dict)
    goroutines: dict = field(default_factory=dict)
    nil_token: str = "nil"
    flag_token: str = "bool"
    dropped: tuple = ()

    def __len__(self) -> int:
        return int(self.time_ms.shape[0])

    def columns(self) -> dict:
        """The summary as a dict of 1-D columns (local queues as ``runq_p<i>``).

        Handy for a Bokeh ``ColumnDataSource``.

        >>> t = parse("SCHED 3ms: gomaxprocs=1 idleprocs=0 threads=3 spinningthreads=0 "
        ...           "idlethreads=1 runqueue=0 [6]")
        >>> sorted(t.columns())[:3], t.columns()['runq_p0'].tolist()
        (['gomaxprocs', 'idleprocs', 'idlethreads'], [6])
        """
        out = {name: getattr(self, name) for name in SUMMARY_FIELDS}
        for p in range(self.local_runq.shape[1]):
            out[f"runq_p{p}"] = self.local_runq[:, p]
        out["local_runq_total"] = self.local_runq_total()
        return out

    def local_runq_total(self) -> np.ndarray:
        """Sum of the local ring lengths per line (runnext is never counted by Go)."""
        return np.where(self.local_runq < 0, 0, self.local_runq).sum(axis=1)


def _int(token: str, nil_seen: list) -> int:
    if token == "nil":
        nil_seen[0] = "nil"
        return -1
    if token == "-1":
        nil_seen[1] = "-1"
    return int(token)


def _flag(token: str, flag_seen: list) -> int:
    if token in ("true", "false"):
        flag_seen[0] = "bool"
        return int(token == "true")
    flag_seen[1] = "int"
    return int(token)


def _lines(text) -> list[str]:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if isinstance(text, str):
        return text.splitlines()
    try:
        lines = []
        for item in text:
            if not isinstance(item, str):
                raise TypeError
            lines.extend(item.splitlines() or [""])
        return lines
    except TypeError:
        raise ValueError(f"text: expected a str, bytes or an iterable of str, got "
                         f"{type(text).__name__}") from None


def parse(text: str | bytes | Iterable[str]) -> SchedTraceTable:
    """Parse schedtrace output (any of :data:`STYLES`, with or without scheddetail).

    ``text`` is the captured stderr (or any text containing it), bytes, or an iterable
    of lines such as ``SchedTrace.schedtrace()`` returns. Raises ``ValueError`` for a
    malformed ``SCHED`` or detail line (except a truncated final line, see
    ``dropped``), for a file mixing styles, and for input with no ``SCHED`` line.

    >>> t = parse(["SCHED 0ms: gomaxprocs=1 idleprocs=0 threads=3 spinningthreads=0 "
    ...            "idlethreads=0 runqueue=0 [2]"])
    >>> t.style, int(t.threads[0]), int(t.needspinning[0])
    ('go1.19', 3, -1)
    """
    lines = _lines(text)
    last = len(lines) - 1
    while last >= 0 and not lines[last].strip():
        last -= 1

    summary: list[dict] = []
    runqs: list[list[int]] = []
    ticks: list[list[int] | None] = []
    styles: set[str] = set()
    detail_rows: set[int] = set()
    plines: list[dict] = []
    mlines: list[dict] = []
    glines: list[dict] = []
    nil_seen = [None, None]
    flag_seen = [None, None]
    dropped = []

    def bad(i: int, what: str) -> None:
        if i == last:
            dropped.append((i + 1, lines[i]))
            return
        raise ValueError(f"text: line {i + 1}: {what}: {lines[i][:160]!r}")

    for i, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        if line.startswith("SCHED "):
            head = _HEAD.match(line)
            if head is None:
                bad(i, "malformed SCHED line")
                continue
            rest = line[head.end():]
            row = {k: (-1 if v is None else int(v)) for k, v in head.groupdict().items()}
            nprocs = row["gomaxprocs"]
            has_spin = head.group("needspinning") is not None
            if (m := _TAIL_125.match(rest)) is not None:
                style = "go1.25"
                runq = [int(x) for x in m.group("runq").split()]
                tick = [int(x) for x in m.group("ticks").split()]
                if not has_spin:
                    bad(i, "schedticks without needspinning")
                    continue
            elif (m := _TAIL_OLD.match(rest)) is not None:
                style = "go1.21" if has_spin else "go1.19"
                runq = [int(x) for x in m.group("runq").split()]
                tick = None
            elif (m := _TAIL_DETAIL.match(rest)) is not None:
                style = None  # decided by needspinning alone below
                runq, tick = [-1] * nprocs, [-1] * nprocs
                row.update(gcwaiting=_flag(m.group("gcwaiting"), flag_seen),
                           nmidlelocked=int(m.group("nmidlelocked")),
                           stopwait=int(m.group("stopwait")),
                           sysmonwait=_flag(m.group("sysmonwait"), flag_seen))
                detail_rows.add(len(summary))
            else:
                bad(i, "unrecognised end of SCHED line")
                continue
            if style is not None and (len(runq) != nprocs or (tick is not None and len(tick) != nprocs)):
                bad(i, f"gomaxprocs={nprocs} but {len(runq)} queue lengths")
                continue
            styles.add(style if style is not None else ("go1.21+" if has_spin else "go1.19"))
            summary.append(row)
            runqs.append(runq)
            ticks.append(tick)
        elif _DETAIL_START.match(line):
            body = line.strip()
            if not summary or (len(summary) - 1) not in detail_rows:
                bad(i, "detail line outside a scheddetail block")
                continue
            r = len(summary) - 1
            kind = body[0]
            if kind == "P":
                m = _P_LINE.match(body)
                if m is None:
                    bad(i, "malformed P line")
                    continue
                rec = {"row": r}
                for name in P_COLUMNS[1:]:
                    rec[name] = _int(m.group(name), nil_seen)
                plines.append(rec)
                if 0 <= rec["id"] < len(runqs[r]):
                    runqs[r][rec["id"]] = rec["runqsize"]
                    ticks[r][rec["id"]] = rec["schedtick"]
            elif kind == "M":
                m = _M_LINE.match(body)
                if m is None:
                    bad(i, "malformed M line")
                    continue
                rec = {"row": r, "preemptoff": m.group("preemptoff")}
                for name in M_COLUMNS[1:]:
                    tok = m.group(name)
                    rec[name] = int(tok == "true") if tok in ("true", "false") else _int(tok, nil_seen)
                mlines.append(rec)
            else:
                m = _G_LINE.match(body)
                if m is None:
                    bad(i, "malformed G line")
                    continue
                rec = {"row": r, "waitreason": m.group("waitreason")}
                for name in G_COLUMNS[1:]:
                    rec[name] = _int(m.group(name), nil_seen)
                glines.append(rec)
        # anything else: program output, comments, blank lines

    if not summary:
        raise ValueError("text: no 'SCHED <t>ms:' line found (is this GODEBUG=schedtrace output?)")
    detailed = bool(detail_rows)
    if detailed and len(detail_rows) != len(summary):
        raise ValueError("text: mixes scheddetail and summary-only SCHED lines")
    # A detail header has no bracket list, so it only tells needspinning or not.
    resolved = set()
    for s in styles:
        resolved.add("go1.25" if s == "go1.21+" else s)
    if len(resolved) != 1:
        raise ValueError(f"text: mixes schedtrace formats {sorted(styles)}")
    style = resolved.pop()

    width = max(row["gomaxprocs"] for row in summary)
    local = np.full((len(summary), width), -1, dtype=np.int64)
    sticks = np.full((len(summary), width), -1, dtype=np.int64)
    for r, (runq, tick) in enumerate(zip(runqs, ticks)):
        local[r, :len(runq)] = runq
        if tick is not None:
            sticks[r, :len(tick)] = tick

    def col(name: str) -> np.ndarray:
        return np.array([row.get(name, -1) for row in summary], dtype=np.int64)

    def table(recs: list[dict], names: tuple, strings: tuple = ()) -> dict:
        out = {n: np.array([rec[n] for rec in recs], dtype=np.int64) for n in names}
        for s in strings:
            out[s] = np.array([rec[s] for rec in recs], dtype=object)
        return out

    nil_token = nil_seen[0] or nil_seen[1] or ("nil" if style == "go1.25" else "-1")
    flag_token = flag_seen[0] or flag_seen[1] or ("bool" if style == "go1.25" else "int")
    return SchedTraceTable(
        **{name: col(name) for name in SUMMARY_FIELDS},
        local_runq=local, schedticks=sticks, style=style, detailed=detailed,
        **{name: col(name) for name in DETAIL_HEADER_FIELDS},
        procs=table(plines, P_COLUMNS), machines=table(mlines, M_COLUMNS, ("preemptoff",)),
        goroutines=table(glines, G_COLUMNS, ("waitreason",)),
        nil_token=nil_token, flag_token=flag_token, dropped=tuple(dropped))


def format_schedtrace(table: SchedTraceTable, style: str | None = None) -> str:
    """Write a table back as schedtrace text (``style`` defaults to the one parsed).

    Summary-only tables can be written in any of :data:`STYLES` (fields a style lacks
    are left out; fields it needs but the table lacks raise ``ValueError``). Detailed
    tables are written in their own style with their own nil/flag spelling, so
    ``format_schedtrace(parse(text))`` reproduces ``text``'s SCHED and detail lines.
    """
    style = table.style if style is None else style
    if style not in STYLES:
        raise ValueError(f"style: expected one of {STYLES}, got {style!r}")
    if style != "go1.19" and (table.needspinning < 0).any():
        raise ValueError(f"style: {style} prints needspinning=, which this table lacks")
    if style == "go1.25" and not table.detailed and (table.schedticks[np.arange(len(table)), 0] < 0).any():
        raise ValueError("style: go1.25 prints schedticks=, which this table lacks")
    if table.detailed and style != table.style:
        raise ValueError(f"style: a scheddetail table is written in its own style {table.style!r}")
    nil = table.nil_token

    def ref(v: int) -> str:
        return nil if v < 0 else str(v)

    def flag(v: int) -> str:
        return ("true" if v else "false") if table.flag_token == "bool" else str(v)

    by_row: dict[int, list[str]] = {}
    if table.detailed:
        for k in range(len(table.procs["row"])):
            d = {n: int(table.procs[n][k]) for n in P_COLUMNS}
            by_row.setdefault(d["row"], []).append(
                f"  P{d['id']}: status={d['status']} schedtick={d['schedtick']} "
                f"syscalltick={d['syscalltick']} m={ref(d['m'])} runqsize={d['runqsize']} "
                f"gfreecnt={d['gfreecnt']} timerslen={d['timerslen']}")
        for k in range(len(table.machines["row"])):
            d = {n: int(table.machines[n][k]) for n in M_COLUMNS}
            by_row.setdefault(d["row"], []).append(
                f"  M{d['id']}: p={ref(d['p'])} curg={ref(d['curg'])} mallocing={d['mallocing']} "
                f"throwing={d['throwing']} preemptoff={table.machines['preemptoff'][k]} "
                f"locks={d['locks']} dying={d['dying']} spinning={'true' if d['spinning'] else 'false'} "
                f"blocked={'true' if d['blocked'] else 'false'} lockedg={ref(d['lockedg'])}")
        for k in range(len(table.goroutines["row"])):
            d = {n: int(table.goroutines[n][k]) for n in G_COLUMNS}
            by_row.setdefault(d["row"], []).append(
                f"  G{d['id']}: status={d['status']}({table.goroutines['waitreason'][k]}) "
                f"m={ref(d['m'])} lockedm={ref(d['lockedm'])}")

    out = []
    for r in range(len(table)):
        nprocs = int(table.gomaxprocs[r])
        line = (f"SCHED {table.time_ms[r]}ms: gomaxprocs={nprocs} idleprocs={table.idleprocs[r]}"
                f" threads={table.threads[r]} spinningthreads={table.spinningthreads[r]}")
        if style != "go1.19":
            line += f" needspinning={table.needspinning[r]}"
        line += f" idlethreads={table.idlethreads[r]} runqueue={table.runqueue[r]}"
        runq = " ".join(str(v) for v in table.local_runq[r, :nprocs])
        if table.detailed:
            line += (f" gcwaiting={flag(table.gcwaiting[r])} nmidlelocked={table.nmidlelocked[r]}"
                     f" stopwait={table.stopwait[r]} sysmonwait={flag(table.sysmonwait[r])}")
        elif style == "go1.25":
            ticks = "".join(f"{v} " for v in table.schedticks[r, :nprocs])
            line += f" [ {runq} ] schedticks=[ {ticks}]"
        else:
            line += f" [{runq}]"
        out.append(line)
        out.extend(by_row.get(r, []))
    return "\n".join(out)
