"""The CDC view: per-region change streams arriving, the merge buffer, and the ordered
output with its checkpoint — the replay of TiCDC's puller, sorter and sink.

Two figures, both fed by ColumnDataSources that :meth:`CdcView.update` replaces:

``lanes``    one lane per region; each event that has arrived is a glyph at its arrival
             position (x = arrival order), shaped and labelled by kind: PREWRITE ``P s``
             (start_ts), COMMIT ``C c`` (commit_ts), COMMITTED from a re-scan ``C' c``,
             ROLLBACK ``R s``, RESOLVED ``r=ts`` (the region's watermark), INITIALIZED.
             The x range follows the cursor (the last :data:`WINDOW` arrivals).
``output``   x = position in the emitted stream, y = commit_ts. Emitted rows in green,
             a row emitted again after a re-subscription in purple, a row emitted at or
             below a resolved marker already sent (resolved ts was too high) in vermillion;
             rows matched but still held in the merge buffer (above the frontier) in grey
             to the right; the horizontal line is the sink checkpoint.

The state after ``p`` arrivals follows from the merge's outputs alone: the kernel emits
rows and then a marker when the frontier rises, so the rows emitted by then are the first
``rows_before`` of the last marker that arrived; the buffer is every matched COMMIT /
COMMITTED that arrived minus those.

:func:`cdc_data` is the pure part.

Example
-------
>>> from gmplab import txn, cdc
>>> from gmplab.viz.cdcview import cdc_data
>>> h = txn.simulate(txn.workloads.bank(txns=6, mode="optimistic"), regions=2)
>>> s = cdc.streams(h, min_ts_interval=5); m = cdc.merge(s)
>>> d = cdc_data(s, m, len(s))
>>> len(d["emitted"]["commit_ts"]) == len(m)
True
"""
from __future__ import annotations

import html

import numpy as np
from bokeh.layouts import column
from bokeh.models import ColumnDataSource, Div, LabelSet, Span

from gmplab.viz.theme import ROLE, new_figure

#: arrivals shown in the lanes figure (the window follows the cursor)
WINDOW = 36

OP_STYLE = {   # op name -> (marker, colour, label prefix)
    "prewrite": ("circle", "#E69F00", "P s"),
    "commit": ("square", "#009E73", "C "),
    "rollback": ("x", "#D55E00", "R s"),
    "committed": ("diamond", "#56B4E9", "C' "),
    "resolved": ("inverted_triangle", "#0072B2", "r="),
    "initialized": ("triangle", "#999999", "init"),
}
ROW_COLOR = {"ok": ROLE["running"], "duplicate": "#CC79A7", "late": "#D55E00", "buffered": "#AAAAAA"}


def row_flags(m) -> tuple[np.ndarray, np.ndarray]:
    """Per emitted row: (is a duplicate of an earlier row, is first-time but at or below
    the last resolved marker sent before it)."""
    rows = m.rows
    n = rows["commit_ts"].size
    pairs = rows["key"] * (1 << 40) + rows["start_ts"]
    _, first = np.unique(pairs, return_index=True)
    dup = np.ones(n, dtype=bool)
    dup[first] = False
    last = np.full(n, -1, dtype=np.int64)
    mk = m.markers
    if mk["resolved_ts"].size and n:
        idx = np.searchsorted(mk["rows_before"], np.arange(n), side="right") - 1
        has = idx >= 0
        last[has] = mk["resolved_ts"][idx[has]]
    late = ~dup & (rows["commit_ts"] <= last)
    return dup, late


def _label(op: str, st: int, ct: int) -> str:
    prefix = OP_STYLE[op][2]
    if op in ("prewrite", "rollback"):
        return f"{prefix}{st}"
    if op in ("commit", "committed", "resolved"):
        return f"{prefix}{ct}"
    return prefix


def describe_arrival(s, i: int) -> str:
    """One sentence about arrival ``i`` naming the TiKV / TiCDC function it models."""
    from gmplab.cdc import OPS

    e = s.events
    op = OPS[int(e["op"][i])]
    r, key, st, ct = int(e["region"][i]), int(e["key"][i]), int(e["start_ts"][i]), int(e["commit_ts"][i])
    head = f"#{i} t={int(e['arrive_tick'][i])} region {r}"
    if op == "prewrite":
        return f"{head} PREWRITE k{key} start_ts {st} — tikv cdc delegate.rs: sink_txn_put (lock tracked)"
    if op == "commit":
        return (f"{head} COMMIT k{key} start_ts {st} commit_ts {ct} — matched with its PREWRITE "
                f"(tiflow cdc/kv/matcher.go: matchRow), into the sorter")
    if op == "committed":
        return f"{head} COMMITTED k{key} commit_ts {ct} from an incremental scan — tikv cdc initializer.rs"
    if op == "rollback":
        return f"{head} ROLLBACK k{key} start_ts {st} — the prewrite is dropped from the matcher"
    if op == "resolved":
        return (f"{head} RESOLVED {ct}: no commit at or below {ct} will follow from this region "
                f"— tikv cdc endpoint.rs: on_min_ts")
    return f"{head} INITIALIZED: the incremental scan is done"


def cdc_data(s, m, p: int, flags=None) -> dict[str, dict]:
    """Column dicts for the state after ``p`` arrivals: ``lanes``, ``emitted``, ``buffer``
    and ``status`` (numbers for the text panel)."""
    from gmplab.cdc import OPS

    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or not 0 <= p <= len(s):
        raise ValueError(f"p must be an int in 0..{len(s)} (arrivals), got {p!r}")
    p = int(p)
    e = s.events
    dup, late = flags if flags is not None else row_flags(m)
    lo = max(0, p - WINDOW)
    lanes = {c: [] for c in ("x", "y", "marker", "color", "label", "alpha")}
    for i in range(lo, p):
        op = OPS[int(e["op"][i])]
        marker, color, _ = OP_STYLE[op]
        lanes["x"].append(i)
        lanes["y"].append(int(e["region"][i]))
        lanes["marker"].append(marker)
        lanes["color"].append(color)
        lanes["label"].append(_label(op, int(e["start_ts"][i]), int(e["commit_ts"][i])))
        lanes["alpha"].append(1.0 if i == p - 1 else 0.75)
    mk = m.markers
    arrived_markers = np.flatnonzero(mk["input"] < p)
    n_emitted = int(mk["rows_before"][arrived_markers[-1]]) if arrived_markers.size else 0
    checkpoint = int(mk["resolved_ts"][arrived_markers[-1]]) if arrived_markers.size else 0
    rows = m.rows
    kinds = np.where(dup[:n_emitted], "duplicate", np.where(late[:n_emitted], "late", "ok"))
    emitted = {"x": list(range(n_emitted)),
               "commit_ts": rows["commit_ts"][:n_emitted].tolist(),
               "label": [f"k{int(k)}@{int(c)}" for k, c in zip(rows["key"][:n_emitted],
                                                            rows["commit_ts"][:n_emitted])],
               "kind": kinds.tolist(),
               "color": [ROW_COLOR[k] for k in kinds]}
    # the merge buffer: matched rows that arrived but are not emitted yet, in sorter order
    is_row = np.isin(e["op"][:p], [OPS.index("commit"), OPS.index("committed")])
    out_inputs = set(rows["input"][:n_emitted].tolist())
    waiting = [i for i in np.flatnonzero(is_row).tolist() if i not in out_inputs]
    waiting.sort(key=lambda i: (int(e["commit_ts"][i]), int(e["start_ts"][i]), int(e["key"][i])))
    buffer = {"x": [n_emitted + 1 + j for j in range(len(waiting))],
              "commit_ts": [int(e["commit_ts"][i]) for i in waiting],
              "label": [f"k{int(e['key'][i])}@{int(e['commit_ts'][i])}" for i in waiting],
              "color": [ROW_COLOR["buffered"]] * len(waiting)}
    resolved = np.zeros(s.regions, dtype=np.int64)
    is_res = np.flatnonzero(e["op"][:p] == OPS.index("resolved"))
    if is_res.size:
        np.maximum.at(resolved, e["region"][is_res], e["commit_ts"][is_res])
    status = {"arrived": p, "emitted": n_emitted, "buffered": len(waiting),
              "frontier": int(m.frontier[p - 1]) if p else 0, "checkpoint": checkpoint,
              "region_resolved": resolved.tolist(),
              "lag": int(resolved.max(initial=0)) - (int(m.frontier[p - 1]) if p else 0),
              "duplicates": int(dup[:n_emitted].sum()), "late": int(late[:n_emitted].sum())}
    return {"lanes": lanes, "emitted": emitted, "buffer": buffer, "status": status}


def status_html(status: dict, caption: str = "") -> str:
    regions = " · ".join(f"region {r}: {v}" for r, v in enumerate(status["region_resolved"]))
    warn = ""
    if status["late"]:
        warn = (f' · <b style="color:#D55E00">{status["late"]} row(s) emitted at or below a '
                f'resolved ts already sent</b>')
    return (f'<div role="status" aria-live="polite" style="font-size:15px">'
            f'<b>frontier {status["frontier"]}</b> · checkpoint {status["checkpoint"]} · '
            f'lag {status["lag"]} behind the newest resolved ts · resolved ts {regions}<br>arrived {status["arrived"]} · emitted {status["emitted"]} · '
            f'in the merge buffer {status["buffered"]} · duplicates {status["duplicates"]}{warn}'
            f'<br>{html.escape(caption)}</div>')


class CdcView:
    """Region lanes + merge buffer and ordered output + status text."""

    def __init__(self, streams, merged):
        self.streams, self.merged = streams, merged
        self._flags = row_flags(merged)
        d = cdc_data(streams, merged, 0, self._flags)
        self.lanes = ColumnDataSource(d["lanes"])
        self.emitted = ColumnDataSource(d["emitted"])
        self.buffer = ColumnDataSource(d["buffer"])
        self.status = Div(text=status_html(d["status"]), sizing_mode="stretch_width")

        lanes = new_figure("per-region change streams, in arrival order", height=110 + 55 * streams.regions,
                           x_axis_label="arrival", x_range=(-0.5, WINDOW + 0.5),
                           y_range=(streams.regions - 0.4, -0.7),
                           tools="xpan,xwheel_zoom,reset,save")
        lanes.yaxis.ticker = list(range(streams.regions))
        lanes.yaxis.major_label_overrides = {r: f"region {r}" for r in range(streams.regions)}
        lanes.scatter("x", "y", source=self.lanes, marker="marker", size=14, fill_color="color",
                      line_color="color", fill_alpha="alpha")
        lanes.add_layout(LabelSet(x="x", y="y", text="label", source=self.lanes, y_offset=-22,
                                  text_align="center", text_font_size="8pt"))
        self.lanes_figure = lanes

        out = new_figure("ordered merge: emitted rows (commit_ts order), buffer, checkpoint",
                         height=300, x_axis_label="position in the output stream",
                         y_axis_label="commit_ts", tools="pan,wheel_zoom,reset,save")
        out.scatter("x", "commit_ts", source=self.emitted, size=11, color="color",
                    legend_field="kind")
        out.scatter("x", "commit_ts", source=self.buffer, size=11, marker="square",
                    fill_color="white", line_color="color", line_width=2,
                    legend_label="in the merge buffer")
        self.checkpoint_line = Span(location=0, dimension="width", line_color=ROLE["highlight"],
                                    line_dash="dashed", line_width=2)
        out.add_layout(self.checkpoint_line)
        out.legend.location = "top_left"
        self.output_figure = out
        self.layout = column(self.status, lanes, out, sizing_mode="stretch_width")

    def set_run(self, streams, merged) -> None:
        self.streams, self.merged = streams, merged
        self._flags = row_flags(merged)
        self.lanes_figure.y_range.start = streams.regions - 0.4
        self.lanes_figure.yaxis.ticker = list(range(streams.regions))
        self.lanes_figure.yaxis.major_label_overrides = {r: f"region {r}" for r in range(streams.regions)}
        self.update(0)

    def update(self, p: int, caption: str = "") -> None:
        d = cdc_data(self.streams, self.merged, p, self._flags)
        self.lanes.data = d["lanes"]
        self.emitted.data = d["emitted"]
        self.buffer.data = d["buffer"]
        self.status.text = status_html(d["status"], caption)
        self.checkpoint_line.location = d["status"]["checkpoint"]
        self.lanes_figure.x_range.start = max(0, p - WINDOW) - 0.5
        self.lanes_figure.x_range.end = max(p, WINDOW) + 0.5
