"""The GMP board: one column per P, the global queue, and where every other G and M is.

Layout (rows top to bottom, one column per P)::

    P2 · running · M3 · runq 12      <- header: P status colour, its M, local queue length
    [ G7  ]                          <- the G running on it (its own colour)
    [ G9  ]  runnext                 <- the runnext slot
    [ G4  ] [ G5 ] ...               <- the local ring, head first; the last visible slot
    [ +9 more ]                         says how many more are queued
    global runq (N): G12 G13 ...     <- the global queue, head first (one strip)

Beside it, a text panel lists Ms in syscalls (with their G), spinning and idle Ms, and Gs
parked on timers, the netpoller or channels. The transition that produced the state is
outlined in the highlight colour and described in a caption that names the runtime
function. Colour is never the only carrier: every cell is labelled.

:func:`board_data` is the pure part (state → column arrays) so it can be tested without
a browser; :class:`GMPBoard` owns the figure and replaces its sources' data on update.
"""
from __future__ import annotations

import html

import numpy as np
from bokeh.layouts import column
from bokeh.models import ColumnDataSource, Div

from gmplab.viz.theme import ROLE, color_for, new_figure

#: Local-queue slots drawn per P column before the "+N more" slot.
VISIBLE_QUEUE = 6
#: Global-queue slots drawn before "+N more".
VISIBLE_GLOBAL = 16

P_STATUS_NAMES = {0: "idle", 1: "running", 2: "syscall", 3: "gcstop", 4: "dead"}
P_STATUS_COLOR = {0: ROLE["idle"], 1: ROLE["running"], 2: ROLE["syscall"], 3: ROLE["idle"],
                  4: ROLE["idle"]}


def g_label(g: int) -> str:
    """Goroutine label as Go prints it: G ids start at 1 (G1 is main)."""
    return f"G{int(g) + 1}"


def m_label(m: int) -> str:
    return f"M{int(m)}"


def _cols() -> dict[str, list]:
    return {k: [] for k in ("x", "y", "w", "h", "fill", "line", "lw", "label", "role")}


def board_data(state, gomaxprocs: int, focus_p: int = -1, focus_g: int = -1) -> dict[str, np.ndarray]:
    """Cells to draw for ``state`` (a ``SchedState``); ``focus_*`` get the highlight outline."""
    c = _cols()

    def cell(x, y, label, fill, role, w=0.9, h=0.8, focus=False):
        c["x"].append(x); c["y"].append(y); c["w"].append(w); c["h"].append(h)
        c["fill"].append(fill); c["label"].append(label); c["role"].append(role)
        c["line"].append(ROLE["highlight"] if focus else "#555555")
        c["lw"].append(4 if focus else 1)

    for p in range(gomaxprocs):
        status = int(state.p_status[p])
        m = int(state.p_m[p])
        runq = np.asarray(state.p_runq[p])
        head = f"P{p} {P_STATUS_NAMES.get(status, status)}"
        head += f"\n{m_label(m) if m >= 0 else 'no M'} · runq {len(runq)}"
        cell(p, 0, head, P_STATUS_COLOR.get(status, ROLE["idle"]), "P", h=0.9, focus=p == focus_p)
        g = int(state.p_curg[p])
        if g >= 0:
            cell(p, 1, f"{g_label(g)} running", color_for(g), "running", focus=g == focus_g)
        else:
            cell(p, 1, "—", "#FFFFFF", "empty")
        g = int(state.p_runnext[p])
        if g >= 0:
            cell(p, 2, f"{g_label(g)} runnext", color_for(g), "runnext", focus=g == focus_g)
        else:
            cell(p, 2, "runnext —", "#FFFFFF", "empty")
        shown = runq if len(runq) <= VISIBLE_QUEUE else runq[:VISIBLE_QUEUE - 1]
        for i, g in enumerate(shown):
            cell(p, 3 + i, g_label(g), color_for(int(g)), "runq", focus=int(g) == focus_g)
        if len(runq) > len(shown):
            cell(p, 3 + len(shown), f"+{len(runq) - len(shown)} more", "#EEEEEE", "more")

    glob = np.asarray(state.globrunq)
    y = 3 + VISIBLE_QUEUE + 0.5
    width = max(gomaxprocs, 1)
    slots = min(VISIBLE_GLOBAL, max(len(glob), 1))
    step = width / max(slots + 1, 2)
    cell(-0.5 + step / 2, y, f"global\n{len(glob)}", "#DDDDDD", "global", w=step * 0.95)
    shown = glob if len(glob) <= VISIBLE_GLOBAL else glob[:VISIBLE_GLOBAL - 1]
    for i, g in enumerate(shown):
        cell(-0.5 + step * (i + 1.5), y, g_label(g), color_for(int(g)), "global",
             w=step * 0.95, focus=int(g) == focus_g)
    if len(glob) > len(shown):
        cell(-0.5 + step * (len(shown) + 1.5), y, f"+{len(glob) - len(shown)}", "#EEEEEE",
             "more", w=step * 0.95)

    out = {k: np.asarray(v) for k, v in c.items()}
    out["x"] = out["x"].astype(float)
    out["y"] = out["y"].astype(float)
    return out


def side_panel_html(state, m_status_names, wait_names) -> str:
    """Ms outside the P columns and parked Gs, as a short HTML list."""
    m_status = np.asarray(state.m_status)
    rows = []
    by_status: dict[str, list[str]] = {}
    for m, s in enumerate(m_status):
        name = m_status_names[int(s)] if 0 <= int(s) < len(m_status_names) else str(s)
        if name in ("running",):
            continue
        label = m_label(m)
        g = int(state.m_curg[m])
        if name == "syscall" and g >= 0:
            label += f"({g_label(g)})"
        by_status.setdefault(name, []).append(label)
    for name in sorted(by_status):
        rows.append(f"<b>Ms {html.escape(name)}</b>: {' '.join(by_status[name])}")
    g_status = np.asarray(state.g_status)
    g_wait = np.asarray(state.g_wait)
    parked: dict[str, list[str]] = {}
    for g in np.flatnonzero(g_status == 4):
        reason = int(g_wait[g])
        name = wait_names[reason] if 0 <= reason < len(wait_names) else str(reason)
        parked.setdefault(name, []).append(g_label(g))
    for name in sorted(parked):
        gs = parked[name]
        text = " ".join(gs[:24]) + (f" … (+{len(gs) - 24})" if len(gs) > 24 else "")
        rows.append(f"<b>waiting ({html.escape(name)})</b>: {text}")
    in_syscall = np.flatnonzero(g_status == 3)
    dead = int(np.count_nonzero(g_status == 6))
    rows.append(f"<b>Gs</b>: {int(np.count_nonzero(g_status == 1))} runnable, "
                f"{int(np.count_nonzero(g_status == 2))} running, {len(in_syscall)} in syscalls, "
                f"{int(np.count_nonzero(g_status == 4))} waiting, {dead} finished")
    return "<br>".join(rows)


class GMPBoard:
    """The board figure plus caption and side panel, updated in place."""

    def __init__(self, gomaxprocs: int, m_status_names, wait_names):
        self.m_status_names = tuple(m_status_names)
        self.wait_names = tuple(wait_names)
        self.cells = ColumnDataSource(board_data(_EmptyState(gomaxprocs), gomaxprocs))
        fig = new_figure("GMP board", height=520, tools="save",
                         x_range=(-0.5, gomaxprocs - 0.5), y_range=(3 + VISIBLE_QUEUE + 1.2, -0.6))
        fig.rect("x", "y", "w", "h", source=self.cells, fill_color="fill", line_color="line",
                 line_width="lw", fill_alpha=0.85)
        self._labels = fig.text("x", "y", text="label", source=self.cells, text_align="center",
                                text_baseline="middle", text_font_size="10pt",
                                text_color=ROLE["text"])
        fig.axis.visible = False
        fig.grid.visible = False
        self.figure = fig
        self.caption = Div(text="", styles={"font-size": "15px"})
        self.caption.tags = ["gmplab-caption"]
        self.panel = Div(text="", styles={"font-size": "13px"})
        self.layout = column(self.caption, fig, self.panel, sizing_mode="stretch_width")
        self.gomaxprocs = gomaxprocs

    def update(self, state, gomaxprocs: int, caption: str, focus_p: int = -1,
               focus_g: int = -1) -> None:
        if gomaxprocs != self.gomaxprocs:
            self.figure.x_range.start, self.figure.x_range.end = -0.5, gomaxprocs - 0.5
            size = 10 if gomaxprocs <= 8 else 8 if gomaxprocs <= 16 else 6
            self._labels.glyph.text_font_size = f"{size}pt"
            self.gomaxprocs = gomaxprocs
        self.cells.data = board_data(state, gomaxprocs, focus_p, focus_g)
        self.caption.text = f'<div role="status" aria-live="polite">{html.escape(caption)}</div>'
        self.panel.text = side_panel_html(state, self.m_status_names, self.wait_names)


class _EmptyState:
    """A blank state used only to give the sources their columns before the first update."""

    def __init__(self, gomaxprocs: int):
        self.p_status = np.zeros(gomaxprocs, np.int32)
        self.p_m = np.full(gomaxprocs, -1)
        self.p_curg = np.full(gomaxprocs, -1)
        self.p_runnext = np.full(gomaxprocs, -1)
        self.p_runq = [np.zeros(0, np.int32)] * gomaxprocs
        self.globrunq = np.zeros(0, np.int32)
