"""gmplab.sched.schedtrace.parse on hand-written lines in every format Go prints.

The expected shapes come from proc.go ``schedtrace``: Go 1.25 prints
``[ a b ] schedticks=[ x y ]`` after ``needspinning=``; older releases print ``[a b]``
(Go 1.21-era with needspinning, Go 1.19 without); scheddetail replaces the bracket list
with four scheduler fields and adds P/M/G lines (``nil`` in 1.25, ``-1`` in 1.19).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from gmplab.sched.schedtrace import STYLES, format_schedtrace, parse

GO125 = ("SCHED 1009ms: gomaxprocs=4 idleprocs=1 threads=9 spinningthreads=1 needspinning=0 "
         "idlethreads=3 runqueue=2 [ 5 0 1 0 ] schedticks=[ 812 455 1290 37 ]")
GO121 = ("SCHED 1009ms: gomaxprocs=4 idleprocs=1 threads=9 spinningthreads=1 needspinning=1 "
         "idlethreads=3 runqueue=2 [5 0 1 0]")
GO119 = ("SCHED 7ms: gomaxprocs=4 idleprocs=1 threads=9 spinningthreads=1 "
         "idlethreads=3 runqueue=2 [5 0 1 0]")

DETAIL125 = """\
SCHED 2003ms: gomaxprocs=2 idleprocs=0 threads=5 spinningthreads=0 needspinning=0 idlethreads=1 runqueue=0 gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false
  P0: status=1 schedtick=120 syscalltick=3 m=3 runqsize=1 gfreecnt=0 timerslen=0
  P1: status=2 schedtick=98 syscalltick=0 m=nil runqsize=0 gfreecnt=2 timerslen=1
  M4: p=nil curg=nil mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=false blocked=true lockedg=nil
  M3: p=0 curg=19 mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=false blocked=false lockedg=nil
  M2: p=nil curg=21 mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=false blocked=false lockedg=nil
  M1: p=nil curg=nil mallocing=0 throwing=0 preemptoff= locks=2 dying=0 spinning=false blocked=false lockedg=nil
  M0: p=nil curg=nil mallocing=0 throwing=0 preemptoff=gcing locks=1 dying=0 spinning=true blocked=false lockedg=nil
  G1: status=4(semacquire) m=nil lockedm=nil
  G2: status=4(force gc (idle)) m=nil lockedm=nil
  G19: status=2() m=3 lockedm=nil
  G21: status=3() m=2 lockedm=nil
SCHED 2004ms: gomaxprocs=2 idleprocs=1 threads=5 spinningthreads=0 needspinning=0 idlethreads=2 runqueue=0 gcwaiting=true nmidlelocked=0 stopwait=0 sysmonwait=false
  P0: status=1 schedtick=121 syscalltick=3 m=3 runqsize=0 gfreecnt=0 timerslen=0
  P1: status=0 schedtick=98 syscalltick=1 m=nil runqsize=0 gfreecnt=2 timerslen=1"""


def test_go125_line_fields():
    t = parse(GO125)
    assert t.style == "go1.25" and not t.detailed and len(t) == 1
    assert [int(getattr(t, f)[0]) for f in ("time_ms", "gomaxprocs", "idleprocs", "threads",
            "spinningthreads", "needspinning", "idlethreads", "runqueue")] == [1009, 4, 1, 9, 1, 0, 3, 2]
    assert t.local_runq.tolist() == [[5, 0, 1, 0]]
    assert t.schedticks.tolist() == [[812, 455, 1290, 37]]
    assert t.local_runq_total().tolist() == [6]


def test_go121_and_go119_lines():
    t21, t19 = parse(GO121), parse(GO119)
    assert (t21.style, int(t21.needspinning[0])) == ("go1.21", 1)
    assert (t19.style, int(t19.needspinning[0])) == ("go1.19", -1)
    for t in (t21, t19):
        assert t.local_runq.tolist() == [[5, 0, 1, 0]]
        assert t.schedticks.tolist() == [[-1, -1, -1, -1]]


def test_one_p_formats():
    assert parse("SCHED 0ms: gomaxprocs=1 idleprocs=0 threads=3 spinningthreads=0 "
                 "idlethreads=0 runqueue=0 [2]").local_runq.tolist() == [[2]]
    t = parse("SCHED 0ms: gomaxprocs=1 idleprocs=0 threads=3 spinningthreads=0 needspinning=0 "
              "idlethreads=0 runqueue=0 [ 2 ] schedticks=[ 9 ]")
    assert (t.local_runq.tolist(), t.schedticks.tolist()) == ([[2]], [[9]])


@pytest.mark.parametrize("line", [GO125, GO121, GO119])
def test_summary_round_trip(line):
    text = "\n".join([line, line.replace("1009ms", "1010ms").replace("7ms", "8ms")])
    assert format_schedtrace(parse(text)) == text


def test_convert_go125_to_old_styles():
    t = parse(GO125)
    assert format_schedtrace(t, "go1.21") == GO121.replace("needspinning=1", "needspinning=0")
    assert format_schedtrace(t, "go1.19") == GO119.replace("7ms", "1009ms")
    with pytest.raises(ValueError, match="needspinning"):
        format_schedtrace(parse(GO119), "go1.25")
    with pytest.raises(ValueError, match="schedticks"):
        format_schedtrace(parse(GO121), "go1.25")
    with pytest.raises(ValueError, match="style"):
        format_schedtrace(t, "go1.18")


def test_scheddetail_go125():
    t = parse(DETAIL125)
    assert t.detailed and t.style == "go1.25" and len(t) == 2
    assert t.gcwaiting.tolist() == [0, 1] and t.sysmonwait.tolist() == [0, 0]
    # the per-P runqsize and schedtick fill the summary matrices
    assert t.local_runq.tolist() == [[1, 0], [0, 0]]
    assert t.schedticks.tolist() == [[120, 98], [121, 98]]
    assert t.procs["row"].tolist() == [0, 0, 1, 1]
    assert t.procs["m"].tolist() == [3, -1, 3, -1]
    assert t.procs["status"].tolist() == [1, 2, 1, 0]
    assert t.machines["id"].tolist() == [4, 3, 2, 1, 0]
    assert t.machines["curg"].tolist() == [-1, 19, 21, -1, -1]
    assert t.machines["spinning"].tolist() == [0, 0, 0, 0, 1]
    assert t.machines["preemptoff"].tolist() == ["", "", "", "", "gcing"]
    assert t.goroutines["id"].tolist() == [1, 2, 19, 21]
    assert t.goroutines["waitreason"].tolist() == ["semacquire", "force gc (idle)", "", ""]
    assert t.goroutines["m"].tolist() == [-1, -1, 3, 2]
    assert format_schedtrace(t) == DETAIL125


def test_scheddetail_go119_spelling_round_trips():
    text = DETAIL125.replace("needspinning=0 ", "").replace("=nil", "=-1")
    text = text.replace("gcwaiting=false", "gcwaiting=0").replace("gcwaiting=true", "gcwaiting=1")
    text = text.replace("sysmonwait=false", "sysmonwait=0")
    t = parse(text)
    assert (t.style, t.nil_token, t.flag_token) == ("go1.19", "-1", "int")
    assert t.procs["m"].tolist() == [3, -1, 3, -1]
    assert format_schedtrace(t) == text


def test_other_lines_are_skipped():
    text = "# header\nGMPLAB workload=x makespan_ns=5\n" + GO119 + "\nhello from main\n"
    assert len(parse(text)) == 1


def test_iterable_and_bytes_input():
    assert len(parse([GO125, GO125])) == 2
    assert len(parse((GO125 + "\n").encode())) == 1


def test_truncated_last_line_is_dropped_and_reported():
    t = parse(GO119 + "\nSCHED 40")
    assert len(t) == 1 and t.dropped == ((2, "SCHED 40"),)


@pytest.mark.parametrize("text, match", [
    ("", "no 'SCHED"),
    ("hello", "no 'SCHED"),
    ("SCHED 40\n" + GO119, "line 1: malformed SCHED"),
    (GO119.replace("[5 0 1 0]", "[5 0 1]") + "\n" + GO119, "line 1: gomaxprocs=4 but 3"),
    (GO119.replace(" [5 0 1 0]", "") + "\n" + GO119, "line 1: unrecognised end"),
    (GO125 + "\n" + GO119, "mixes schedtrace formats"),
    ("  P0: status=1 schedtick=1 syscalltick=0 m=0 runqsize=0 gfreecnt=0 timerslen=0\n" + GO119,
     "line 1: detail line outside"),
    (DETAIL125.replace("  P1: status=2", "  P1: status=x", 1), "line 3: malformed P line"),
    (DETAIL125 + "\n" + GO125, "mixes scheddetail"),
])
def test_bad_input_raises_naming_the_line(text, match):
    with pytest.raises(ValueError, match=match):
        parse(text)


def test_non_text_input_raises():
    with pytest.raises(ValueError, match="text: expected"):
        parse(12)
    with pytest.raises(ValueError, match="text: expected"):
        parse([GO119, 3])


@st.composite
def tables(draw):
    style = draw(st.sampled_from(STYLES))
    rows = draw(st.integers(1, 6))
    procs = draw(st.integers(1, 9))
    small = st.integers(0, 10_000)
    lines, t = [], 0
    for _ in range(rows):
        t += draw(st.integers(0, 20))
        f = {k: draw(small) for k in ("idle", "thr", "spin", "need", "idlet", "rq")}
        runq = [draw(st.integers(0, 256)) for _ in range(procs)]
        line = f"SCHED {t}ms: gomaxprocs={procs} idleprocs={f['idle']} threads={f['thr']} spinningthreads={f['spin']}"
        if style != "go1.19":
            line += f" needspinning={f['need']}"
        line += f" idlethreads={f['idlet']} runqueue={f['rq']}"
        if style == "go1.25":
            ticks = [draw(st.integers(0, 2**32 - 1)) for _ in range(procs)]
            line += " [ " + " ".join(map(str, runq)) + " ] schedticks=[ " + "".join(f"{x} " for x in ticks) + "]"
        else:
            line += " [" + " ".join(map(str, runq)) + "]"
        lines.append(line)
    return style, "\n".join(lines)


@settings(max_examples=50, deadline=None)
@given(tables())
def test_property_format_inverts_parse(case):
    style, text = case
    t = parse(text)
    assert t.style == style
    assert format_schedtrace(t) == text
    assert np.all(t.local_runq >= 0)
