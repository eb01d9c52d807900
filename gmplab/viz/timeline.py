"""A timeline in the style of ``go tool trace``: one lane per P with the G slices it ran,
one lane per M (the thread view) with running and syscall spans, steal and preemption
marks, a cursor at the current step, and the run-queue lengths over time.

Data come from ``SchedTrace.slices()``, ``SchedTrace.events`` and
``SchedTrace.queue_lengths()``. A re-simulation replaces the sources' data; the figures
are built once.
"""
from __future__ import annotations

import numpy as np
from bokeh.layouts import column
from bokeh.models import ColumnDataSource, HoverTool, Span

from gmplab.viz.board import g_label
from gmplab.viz.theme import OKABE_ITO, ROLE, new_figure

#: Largest number of points a queue-length line keeps (evenly subsampled beyond it).
MAX_QUEUE_POINTS = 4000


def _us(ns):
    return np.asarray(ns, dtype=np.float64) / 1e3


def slice_data(trace, lane: str = "p") -> dict[str, np.ndarray]:
    """Quads for the P lanes (``lane='p'``, running slices only) or M lanes (``'m'``)."""
    s = trace.slices()
    what = np.asarray(s["what"])
    keep = what == 0 if lane == "p" else np.ones(len(what), bool)
    lanes = np.asarray(s[lane])[keep].astype(float)
    g = np.asarray(s["g"])[keep]
    start, end = _us(np.asarray(s["start"])[keep]), _us(np.asarray(s["end"])[keep])
    kind = what[keep]
    colors = np.array(OKABE_ITO)[g % len(OKABE_ITO)]
    colors = np.where(kind == 1, ROLE["syscall"], colors)
    return {
        "left": start, "right": end, "bottom": lanes - 0.4, "top": lanes + 0.4,
        "color": colors, "g": np.array([g_label(x) for x in g]),
        "what": np.where(kind == 1, "syscall", "running"),
        "p": np.asarray(s["p"])[keep], "m": np.asarray(s["m"])[keep],
        "start_us": start, "end_us": end,
    }


def mark_data(trace, kinds: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Event marks (e.g. steals, preemptions) on the lane of the P they happened on."""
    from gmplab.sched import EVENT_KINDS

    ev = trace.events
    codes = [EVENT_KINDS.index(k) for k in kinds if k in EVENT_KINDS]
    sel = np.isin(np.asarray(ev["kind"]), codes) & (np.asarray(ev["p"]) >= 0)
    kind_names = np.array(EVENT_KINDS)[np.asarray(ev["kind"])[sel]]
    return {"t": _us(np.asarray(ev["t"])[sel]), "lane": np.asarray(ev["p"])[sel].astype(float),
            "kind": kind_names, "g": np.array([g_label(x) if x >= 0 else "" for x in np.asarray(ev["g"])[sel]])}


def queue_data(trace) -> dict[str, np.ndarray]:
    q = trace.queue_lengths()
    t = np.asarray(q["t"])
    idx = np.arange(len(t))
    if len(t) > MAX_QUEUE_POINTS:
        idx = np.unique(np.linspace(0, len(t) - 1, MAX_QUEUE_POINTS).astype(np.int64))
    local = np.asarray(q["local"])[idx]
    return {"t": _us(t[idx]), "global": np.asarray(q["global"])[idx].astype(float),
            "local_total": local.sum(axis=1).astype(float),
            "local_max": local.max(axis=1).astype(float) if local.shape[1] else np.zeros(len(idx))}


class Timeline:
    """P lanes, M lanes and queue lengths, with a shared time cursor."""

    MARKS = ("runqsteal", "preemptone", "handoffp", "retake")

    def __init__(self, trace):
        self.p_slices = ColumnDataSource(slice_data(trace, "p"))
        self.m_slices = ColumnDataSource(slice_data(trace, "m"))
        self.marks = ColumnDataSource(mark_data(trace, self.MARKS))
        self.queues = ColumnDataSource(queue_data(trace))
        tips = [("G", "@g"), ("what", "@what"), ("P", "@p"), ("M", "@m"),
                ("from (µs)", "@start_us{0,0.0}"), ("to (µs)", "@end_us{0,0.0}")]

        self.p_fig = new_figure("Ps over time (one lane per P)", height=220,
                                x_axis_label="time (µs)", y_axis_label="P")
        self.p_fig.quad(left="left", right="right", bottom="bottom", top="top", color="color",
                        source=self.p_slices, line_color="white", line_width=0.5)
        self.p_fig.add_tools(HoverTool(tooltips=tips, renderers=self.p_fig.renderers[-1:]))
        mk = self.p_fig.scatter("t", "lane", source=self.marks, marker="inverted_triangle",
                                size=9, color=ROLE["text"], legend_label="steal / preempt / handoff / retake")
        self.p_fig.add_tools(HoverTool(tooltips=[("event", "@kind"), ("G", "@g"), ("t (µs)", "@t{0,0.0}")],
                                       renderers=[mk]))
        self.p_fig.legend.location = "top_right"
        self.p_fig.legend.background_fill_alpha = 0.6

        self.m_fig = new_figure("threads over time (one lane per M; vermillion = syscall)", height=220,
                                x_axis_label="time (µs)", y_axis_label="M", x_range=self.p_fig.x_range)
        self.m_fig.quad(left="left", right="right", bottom="bottom", top="top", color="color",
                        source=self.m_slices, line_color="white", line_width=0.5)
        self.m_fig.add_tools(HoverTool(tooltips=tips, renderers=self.m_fig.renderers[-1:]))

        self.q_fig = new_figure("run-queue lengths", height=200, x_axis_label="time (µs)",
                                y_axis_label="goroutines", x_range=self.p_fig.x_range)
        self.q_fig.step("t", "global", source=self.queues, mode="after", line_width=2,
                        color=OKABE_ITO[5], legend_label="global queue")
        self.q_fig.step("t", "local_total", source=self.queues, mode="after", line_width=2,
                        color=OKABE_ITO[4], legend_label="all local queues")
        self.q_fig.step("t", "local_max", source=self.queues, mode="after", line_width=2,
                        line_dash="dashed", color=OKABE_ITO[0], legend_label="longest local queue")
        self.q_fig.legend.location = "top_right"
        self.q_fig.legend.background_fill_alpha = 0.6

        self.cursors = []
        for fig in (self.p_fig, self.m_fig, self.q_fig):
            span = Span(location=0, dimension="height", line_color=ROLE["highlight"], line_width=2)
            fig.add_layout(span)
            self.cursors.append(span)
        self.layout = column(self.p_fig, self.m_fig, self.q_fig, sizing_mode="stretch_width")

    def set_trace(self, trace) -> None:
        """New data after a re-simulation (figures stay, sources are replaced)."""
        self.p_slices.data = slice_data(trace, "p")
        self.m_slices.data = slice_data(trace, "m")
        self.marks.data = mark_data(trace, self.MARKS)
        self.queues.data = queue_data(trace)

    def set_cursor(self, t_ns: int) -> None:
        for span in self.cursors:
            span.location = float(t_ns) / 1e3
