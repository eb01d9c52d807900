"""The controls demo of chapter 00: an ipywidgets slider driving a Bokeh plot.

It shows the pattern every gmplab app follows: the figure lives in a
``jupyter_bokeh.BokehModel`` inside an ipywidgets layout; a control's ``observe`` callback
calls a Python method (the control's *method twin*), and the method updates the figure's
``ColumnDataSource`` in place, so a cell or a test drives exactly the path a mouse does.

The plot is deliberately simple arithmetic, not a scheduler model: the ideal makespan of
``n`` equal CPU-bound goroutines on ``p`` Ps when nothing else costs anything,
``ceil(n / p) * burst``. Chapter 04 shows how far the real scheduler is from it.

Example
-------
>>> from gmplab.apps.demo import IdealMakespanDemo
>>> demo = IdealMakespanDemo(goroutines=16, burst_ms=1.0)
>>> demo.set_gomaxprocs(5)
>>> demo.caption()
'GOMAXPROCS=5: 16 goroutines of 1.0 ms need at least 4 rounds = 4.0 ms'
"""
from __future__ import annotations

from gmplab.apps.display import LiveOrStatic

import math

import ipywidgets as widgets
import numpy as np
from bokeh.models import ColumnDataSource
from jupyter_bokeh import BokehModel

from gmplab.viz.theme import ROLE, new_figure


class IdealMakespanDemo(LiveOrStatic):
    """Slider (GOMAXPROCS 1–16) → a curve of ideal makespans with the chosen point marked."""

    def __init__(self, goroutines: int = 16, burst_ms: float = 1.0, max_procs: int = 16):
        if not isinstance(goroutines, int) or goroutines < 1:
            raise ValueError(f"goroutines must be an int >= 1, got {goroutines!r}")
        if not burst_ms > 0:
            raise ValueError(f"burst_ms must be > 0, got {burst_ms!r}")
        if not isinstance(max_procs, int) or not 1 <= max_procs <= 1024:
            raise ValueError(f"max_procs must be an int in 1..1024, got {max_procs!r}")
        self.goroutines, self.burst_ms, self.max_procs = goroutines, burst_ms, max_procs
        procs = np.arange(1, max_procs + 1)
        curve = np.ceil(goroutines / procs) * burst_ms
        self.curve = ColumnDataSource({"procs": procs, "ms": curve})
        self.point = ColumnDataSource({"procs": np.array([1]), "ms": curve[:1]})

        fig = new_figure("Ideal makespan: ceil(goroutines / GOMAXPROCS) × burst", height=300,
                         x_axis_label="GOMAXPROCS", y_axis_label="makespan (ms)")
        fig.step("procs", "ms", source=self.curve, mode="center", line_width=3,
                 color=ROLE["runnable"], legend_label="ideal makespan")
        fig.scatter("procs", "ms", source=self.point, size=16, color=ROLE["highlight"],
                    legend_label="chosen GOMAXPROCS")
        self.figure = fig

        self.slider = widgets.IntSlider(value=1, min=1, max=max_procs, description="GOMAXPROCS",
                                        continuous_update=True,
                                        style={"description_width": "initial"})
        self.label = widgets.HTML()
        self.slider.observe(lambda change: self.set_gomaxprocs(change["new"]), names="value")
        self.set_gomaxprocs(1)

    # --- method twins -----------------------------------------------------------------
    def set_gomaxprocs(self, p: int) -> None:
        """What moving the slider does."""
        if not isinstance(p, (int, np.integer)) or not 1 <= p <= self.max_procs:
            raise ValueError(f"GOMAXPROCS must be an int in 1..{self.max_procs}, got {p!r}")
        p = int(p)
        if self.slider.value != p:
            self.slider.value = p  # fires observe, which calls back here once more
            return
        ms = math.ceil(self.goroutines / p) * self.burst_ms
        self.point.data = {"procs": np.array([p]), "ms": np.array([ms])}
        self.label.value = f"<b>{self.caption()}</b>"

    def caption(self) -> str:
        p = self.slider.value
        rounds = math.ceil(self.goroutines / p)
        return (f"GOMAXPROCS={p}: {self.goroutines} goroutines of {self.burst_ms} ms need "
                f"at least {rounds} rounds = {rounds * self.burst_ms} ms")

    def static_layout(self):
        """The same plot driven by a Bokeh slider in the browser (no kernel needed)."""
        from bokeh.layouts import column
        from bokeh.models import CustomJS, Div, Slider

        slider = Slider(start=1, end=self.max_procs, value=self.slider.value, step=1,
                        title="GOMAXPROCS", sizing_mode="stretch_width")
        label = Div(text=self.label.value)
        slider.js_on_change("value", CustomJS(
            args=dict(curve=self.curve, point=self.point, label=label, slider=slider,
                      n=self.goroutines, burst=self.burst_ms), code="""
            const p = slider.value, ms = curve.data.ms[p - 1];
            point.data = {procs: [p], ms: [ms]};
            label.text = `<b>GOMAXPROCS=${p}: ${n} goroutines of ${burst.toFixed(1)} ms need at least `
                       + `${Math.ceil(n / p)} rounds = ${ms.toFixed(1)} ms</b>`;
        """))
        return column(slider, label, self.figure, sizing_mode="stretch_width")

    def widget(self) -> widgets.VBox:
        """The layout to display: slider, caption and the live Bokeh figure."""
        if not hasattr(self, "_widget"):
            self._widget = widgets.VBox([self.slider, self.label, BokehModel(self.figure)])
        return self._widget
