"""Chapter 01's pictures: what N goroutines and N threads cost, and how a goroutine's
stack grows with call depth (model steps over measured points).

Each function returns a fresh figure and the ``ColumnDataSource`` an app updates in place.

Example
-------
>>> fig, bars = footprint_figure(10_000)
>>> list(bars.data["what"])[:2]
['goroutines: stack in use', 'goroutines: all runtime memory']
"""
from __future__ import annotations

import numpy as np
from bokeh.models import ColumnDataSource, FixedTicker, HoverTool, Span

from gmplab.sched import stacks
from gmplab.sched.costs import footprint
from gmplab.viz.theme import OKABE_ITO, ROLE, new_figure

GOROUTINE, THREAD = OKABE_ITO[2], OKABE_ITO[5]   # bluish green, vermillion (CVD-safe pair)

_MEMORY = (("goroutines: stack in use", "goroutine_stack_bytes", GOROUTINE, ""),
           ("goroutines: all runtime memory", "goroutine_sys_bytes", GOROUTINE, "/"),
           ("threads: resident (RSS)", "thread_resident_bytes", THREAD, ""),
           ("threads: reserved (virtual)", "thread_virtual_bytes", THREAD, "/"))
_TIME = (("goroutines: go f()", "goroutine_create_s", GOROUTINE),
         ("threads: pthread_create", "thread_create_s", THREAD))


def _human_bytes(b: float) -> str:
    for unit, size in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= size:
            return f"{b / size:,.1f} {unit}"
    return f"{b:,.0f} B"


def _human_seconds(s: float) -> str:
    if s >= 1:
        return f"{s:,.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:,.1f} ms"
    return f"{s * 1e6:,.0f} µs"


def footprint_data(tasks: int) -> tuple[dict, dict]:
    """Bar data (memory, creation time) for ``tasks`` blocked goroutines / threads."""
    f = footprint(tasks)
    mem = {"what": [w for w, *_ in _MEMORY], "value": [f[k] for _, k, *_ in _MEMORY],
           "label": [_human_bytes(f[k]) for _, k, *_ in _MEMORY],
           "color": [c for *_, c, _ in _MEMORY], "hatch": [h for *_, h in _MEMORY]}
    time = {"what": [w for w, *_ in _TIME], "value": [f[k] for _, k, _ in _TIME],
            "label": [_human_seconds(f[k]) for _, k, _ in _TIME], "color": [c for *_, c in _TIME]}
    return mem, time


def footprint_figure(tasks: int):
    """Horizontal bars on a log axis: memory of ``tasks`` goroutines against threads."""
    mem, _ = footprint_data(tasks)
    src = ColumnDataSource(mem)
    fig = new_figure("Memory for N blocked tasks (measured per task × N)", height=260,
                     y_range=list(reversed(mem["what"])), x_axis_type="log",
                     x_range=(1e5, 1e14), x_axis_label="bytes (log scale)")
    fig.hbar(y="what", right="value", left=1e5, height=0.7, color="color", hatch_pattern="hatch",
             hatch_color="white", source=src)
    fig.text(x="value", y="what", text="label", source=src, x_offset=6, text_baseline="middle",
             text_font_size="11pt")
    fig.add_tools(HoverTool(tooltips=[("", "@what"), ("", "@label")]))
    return fig, src


def creation_figure(tasks: int):
    """Horizontal bars on a log axis: time to create ``tasks`` goroutines against threads."""
    _, time = footprint_data(tasks)
    src = ColumnDataSource(time)
    fig = new_figure("Time to create N blocked tasks (measured per task × N)", height=180,
                     y_range=list(reversed(time["what"])), x_axis_type="log",
                     x_range=(1e-5, 1e5), x_axis_label="seconds (log scale)")
    fig.hbar(y="what", right="value", left=1e-5, height=0.7, color="color", source=src)
    fig.text(x="value", y="what", text="label", source=src, x_offset=6, text_baseline="middle",
             text_font_size="11pt")
    fig.add_tools(HoverTool(tooltips=[("", "@what"), ("", "@label")]))
    return fig, src


def stack_growth_data(measurements: dict, max_depth: int = 260) -> dict:
    """Model steps (both starting sizes) and the measured medians, in KiB."""
    depth = np.arange(max_depth + 1)
    return {
        "model2": {"depth": depth, "kib": np.array([stacks.recursion_stack(int(d)) for d in depth]) / 1024},
        "model8": {"depth": depth, "kib": np.array([stacks.recursion_stack(int(d), start=8192)
                                                     for d in depth]) / 1024},
        "meas2": {"depth": [r["depth"] for r in measurements["go_adaptivestackstart0"]["stack_growth"]],
                  "kib": [r["stack_inuse_per_goroutine"]["median"] / 1024
                          for r in measurements["go_adaptivestackstart0"]["stack_growth"]]},
        "meas8": {"depth": [r["depth"] for r in measurements["go"]["stack_growth"]],
                  "kib": [r["stack_inuse_per_goroutine"]["median"] / 1024
                          for r in measurements["go"]["stack_growth"]]},
    }


def stack_figure(measurements: dict, depth: int = 0):
    """Stack size against recursion depth: the newstack doubling rule as steps, the
    measured medians as markers (both ``adaptivestackstart`` settings), a cursor at ``depth``.

    Returns ``(figure, cursor_span, cursor_source)``.
    """
    d = stack_growth_data(measurements)
    fig = new_figure("Goroutine stack size vs call depth (296-byte frames)", height=320,
                     x_axis_label="recursion depth", y_axis_label="stack (KiB, log scale)",
                     y_axis_type="log")
    fig.step("depth", "kib", source=ColumnDataSource(d["model2"]), mode="after", line_width=3,
             color=ROLE["highlight"], legend_label="model, new G (2 KiB start)")
    fig.step("depth", "kib", source=ColumnDataSource(d["model8"]), mode="after", line_width=3,
             line_dash="dashed", color=OKABE_ITO[0], legend_label="model, 8 KiB start (adaptive)")
    fig.scatter("depth", "kib", source=ColumnDataSource(d["meas2"]), size=12, marker="circle",
                color=ROLE["highlight"], legend_label="measured, adaptivestackstart=0")
    fig.scatter("depth", "kib", source=ColumnDataSource(d["meas8"]), size=12, marker="triangle",
                color=OKABE_ITO[0], legend_label="measured, default GODEBUG")
    cursor = Span(location=depth, dimension="height", line_color=ROLE["text"], line_width=2,
                  line_dash="dotted")
    fig.add_layout(cursor)
    point = ColumnDataSource({"depth": [depth], "kib": [stacks.recursion_stack(depth) / 1024]})
    fig.scatter("depth", "kib", source=point, size=18, marker="diamond", color=ROLE["text"],
                legend_label="chosen depth (model)")
    fig.legend.location = "bottom_right"
    fig.yaxis.ticker = FixedTicker(ticks=[2, 4, 8, 16, 32, 64, 128, 256])
    fig.add_tools(HoverTool(tooltips=[("depth", "@depth"), ("stack", "@kib{0.0} KiB")]))
    return fig, cursor, point
