"""Chapter 01's app: how many tasks, how deep a call chain — what goroutines and threads cost.

Two controls, each with its method twin:

* a *tasks* slider (1,000 … 10,000,000) → memory and creation-time bars for that many blocked
  goroutines and threads (:meth:`CostsApp.set_tasks`);
* a *depth* slider (0 … 252 levels of recursion) → a cursor on the stack-growth plot and
  the stack size the model gives (:meth:`CostsApp.set_depth`).

Example
-------
>>> from gmplab.apps.costs import CostsApp
>>> app = CostsApp()
>>> app.set_tasks(1_000_000)
>>> app.set_depth(28)
>>> print(app.caption())
1,000,000 tasks: goroutine stacks 1.9 GiB in use, thread stacks 8.0 GiB resident and 7.6 TiB reserved; creating them takes 1.82 s against 19.05 s. At depth 28 a goroutine's stack is 16 KiB (model; 3 doublings from 2 KiB).
"""
from __future__ import annotations

import ipywidgets as widgets
from jupyter_bokeh import BokehModel

from gmplab.apps.display import LiveOrStatic
from gmplab.measurements import load_thread_measurements
from gmplab.sched import stacks
from gmplab.viz.costs import (_human_bytes, _human_seconds, creation_figure, footprint_data,
                              footprint_figure, stack_figure)

#: The tasks slider's stops (a selection slider: one arrow key press per decade step).
TASK_STOPS = (1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000)
MAX_DEPTH = 252


class CostsApp(LiveOrStatic):
    """Tasks and depth sliders over measured costs and the stack-growth model."""

    def __init__(self, tasks: int = 10_000, depth: int = 0):
        self._check_tasks(tasks)
        self._check_depth(depth)
        self.measurements = load_thread_measurements()
        self.tasks, self.depth = tasks, depth
        self.memory_fig, self.memory = footprint_figure(tasks)
        self.time_fig, self.time = creation_figure(tasks)
        self.stack_fig, self.cursor, self.point = stack_figure(self.measurements, depth)
        self.tasks_slider = widgets.SelectionSlider(
            options=[(f"{n:,}", n) for n in TASK_STOPS], value=tasks, description="tasks",
            continuous_update=False, style={"description_width": "initial"},
            layout=widgets.Layout(width="60%"))
        self.depth_slider = widgets.IntSlider(
            value=depth, min=0, max=MAX_DEPTH, description="call depth", continuous_update=True,
            style={"description_width": "initial"}, layout=widgets.Layout(width="60%"))
        self.label = widgets.HTML()
        self.tasks_slider.observe(lambda c: self.set_tasks(c["new"]), names="value")
        self.depth_slider.observe(lambda c: self.set_depth(c["new"]), names="value")
        self._update_label()

    @staticmethod
    def _check_tasks(n) -> None:
        if n not in TASK_STOPS or isinstance(n, bool):
            raise ValueError(f"tasks must be one of {TASK_STOPS}, got {n!r}")

    @staticmethod
    def _check_depth(d) -> None:
        if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= MAX_DEPTH:
            raise ValueError(f"depth must be an int in 0..{MAX_DEPTH}, got {d!r}")

    # --- method twins -----------------------------------------------------------------
    def set_tasks(self, n: int) -> None:
        """What moving the tasks slider does: update both bar charts in place."""
        self._check_tasks(n)
        if self.tasks_slider.value != n:
            self.tasks_slider.value = n      # fires observe, which calls back here
            return
        self.tasks = n
        mem, time = footprint_data(n)
        self.memory.data = mem
        self.time.data = time
        self._update_label()

    def set_depth(self, d: int) -> None:
        """What moving the depth slider does: move the cursor, recompute the stack size."""
        self._check_depth(d)
        if self.depth_slider.value != d:
            self.depth_slider.value = d
            return
        self.depth = d
        self.cursor.location = d
        self.point.data = {"depth": [d], "kib": [stacks.recursion_stack(d) / 1024]}
        self._update_label()

    # --- reading the state ------------------------------------------------------------
    def caption(self) -> str:
        return f"{self.tasks_caption(self.tasks)} {self.depth_caption(self.depth)}"

    @staticmethod
    def tasks_caption(tasks: int) -> str:
        mem, time = footprint_data(tasks)
        return (f"{tasks:,} tasks: goroutine stacks {mem['label'][0]} in use, thread stacks "
                f"{mem['label'][2]} resident and {mem['label'][3]} reserved; creating them takes "
                f"{time['label'][0]} against {time['label'][1]}.")

    @staticmethod
    def depth_caption(depth: int) -> str:
        size = stacks.recursion_stack(depth)
        return (f"At depth {depth} a goroutine's stack is "
                f"{_human_bytes(size).replace('.0 ', ' ')} (model; {stacks.doublings(depth)} "
                f"doublings from 2 KiB).")

    def _update_label(self) -> None:
        self.label.value = f"<p aria-live='polite'><b>{self.caption()}</b></p>"

    def widget(self) -> widgets.VBox:
        if not hasattr(self, "_widget"):
            self._widget = widgets.VBox([
                self.tasks_slider, BokehModel(self.memory_fig), BokehModel(self.time_fig),
                self.depth_slider, BokehModel(self.stack_fig), self.label])
        return self._widget

    def static_layout(self):
        """The same figures with Bokeh sliders driving precomputed data (no kernel needed)."""
        from bokeh.layouts import column
        from bokeh.models import CustomJS, CustomJSTickFormatter, Div, Slider

        frames = [footprint_data(n) for n in TASK_STOPS]
        kib = [stacks.recursion_stack(d) / 1024 for d in range(MAX_DEPTH + 1)]
        tasks_text = [self.tasks_caption(n) for n in TASK_STOPS]
        depth_text = [self.depth_caption(d) for d in range(MAX_DEPTH + 1)]
        tasks_label = Div(text=f"<b>{tasks_text[TASK_STOPS.index(self.tasks)]}</b>")
        depth_label = Div(text=f"<b>{depth_text[self.depth]}</b>")
        stops = [f"{n:,}" for n in TASK_STOPS]
        tasks = Slider(start=0, end=len(TASK_STOPS) - 1, step=1, value=TASK_STOPS.index(self.tasks),
                       title="tasks", sizing_mode="stretch_width",
                       format=CustomJSTickFormatter(args=dict(stops=stops),
                                                    code="return stops[Math.round(tick)]"))
        tasks.js_on_change("value", CustomJS(args=dict(
            mem=self.memory, time=self.time, mems=[f[0] for f in frames],
            times=[f[1] for f in frames], texts=tasks_text, label=tasks_label, s=tasks), code="""
            mem.data = mems[s.value]; time.data = times[s.value];
            label.text = `<b>${texts[s.value]}</b>`;
        """))
        depth = Slider(start=0, end=MAX_DEPTH, step=1, value=self.depth, title="call depth",
                       sizing_mode="stretch_width")
        depth.js_on_change("value", CustomJS(args=dict(
            cursor=self.cursor, point=self.point, kib=kib, texts=depth_text, label=depth_label,
            s=depth), code="""
            cursor.location = s.value; point.data = {depth: [s.value], kib: [kib[s.value]]};
            label.text = `<b>${texts[s.value]}</b>`;
        """))
        return column(tasks, tasks_label, self.memory_fig, self.time_fig, depth, depth_label,
                      self.stack_fig, sizing_mode="stretch_width")
