"""The GMP app: board, timeline and queues on the shared stepper, with a GOMAXPROCS
slider, a workload picker and a seed.

Moving the GOMAXPROCS slider re-simulates (the kernel takes milliseconds) and updates every
view in place, keeping the reader at the same simulated time. Every control has a method
twin: :meth:`GMPApp.set_gomaxprocs`, :meth:`set_workload`, :meth:`set_seed`, and the
stepper's :meth:`step`, :meth:`back`, :meth:`goto`, :meth:`next_of`.

Example
-------
>>> from gmplab.apps.gmp import GMPApp
>>> app = GMPApp("fanout", gomaxprocs=2)
>>> app.step()
>>> app.stepper.position
1
"""
from __future__ import annotations

from gmplab.apps.display import LiveOrStatic, StepperTwins

import numpy as np
import ipywidgets as widgets
from bokeh.layouts import column
from jupyter_bokeh import BokehModel

from gmplab.apps.stepper import Stepper
from gmplab.viz.board import GMPBoard
from gmplab.viz.timeline import Timeline

#: Workloads the picker offers, at sizes that read well on a board.
PRESETS = {
    "fanout": ("fanout", dict(n=24, cpu_ns=50_000)),
    "syscall_mix": ("syscall_mix", dict(n=12, rounds=3, cpu_ns=20_000, syscall_ns=300_000)),
    "pingpong": ("pingpong", dict(pairs=3, rounds=8)),
    "pipeline": ("pipeline", dict(stages=4, items=12, cpu_ns=20_000)),
    "cpu_hogs": ("cpu_hogs", dict(n=6, duration_ns=25_000_000)),
}

#: Event kinds offered by the "jump to next" picker, when the engine has them.
JUMP_KINDS = ("runqsteal", "runqputslow", "globrunqget", "handoffp", "retake", "preemptone",
              "entersyscall", "exitsyscall0", "gopark", "goready", "startm", "stopm", "gosched")


def preset_workload(name: str):
    """Build one of the picker's workloads by name."""
    from gmplab.sched import workloads

    if name not in PRESETS:
        raise ValueError(f"workload must be one of {sorted(PRESETS)}, got {name!r}")
    builder, kwargs = PRESETS[name]
    return getattr(workloads, builder)(**kwargs)


class GMPApp(StepperTwins, LiveOrStatic):
    """Board + timeline + stepper + GOMAXPROCS/workload/seed controls."""

    def __init__(self, workload="fanout", gomaxprocs: int = 4, seed: int = 0,
                 max_procs: int = 64, **costs):
        from gmplab.sched import EVENT_KINDS, M_STATUS, WAIT_REASONS

        if not isinstance(max_procs, int) or not 1 <= max_procs <= 1024:
            raise ValueError(f"max_procs must be an int in 1..1024, got {max_procs!r}")
        self.max_procs = max_procs
        self.costs = costs
        self._check_procs(gomaxprocs)
        self._check_seed(seed)
        self.gomaxprocs, self.seed = gomaxprocs, seed
        self.workload_name, self.workload = self._resolve(workload)
        self.trace = self._simulate()

        kinds = tuple(k for k in JUMP_KINDS if k in EVENT_KINDS)
        self.board = GMPBoard(gomaxprocs, M_STATUS, WAIT_REASONS)
        self.timeline = Timeline(self.trace)
        self.stepper = Stepper(len(self.trace), self._render, kinds=kinds,
                               find_next=lambda k, ks: self.trace.next_event(k - 1, ks)
                               if k > 0 else self._first_of(ks))

        self.procs_slider = widgets.IntSlider(value=gomaxprocs, min=1, max=max_procs,
                                              description="GOMAXPROCS", continuous_update=False,
                                              style={"description_width": "initial"})
        options = list(PRESETS) + ([self.workload_name] if self.workload_name not in PRESETS else [])
        self.workload_picker = widgets.Dropdown(options=options, value=self.workload_name,
                                                description="workload")
        self.seed_box = widgets.BoundedIntText(value=seed, min=0, max=2**31 - 1, description="seed",
                                               layout=widgets.Layout(width="180px"))
        self.summary = widgets.HTML()
        self.procs_slider.observe(lambda c: self.set_gomaxprocs(c["new"]), names="value")
        self.workload_picker.observe(lambda c: self.set_workload(c["new"]), names="value")
        self.seed_box.observe(lambda c: self.set_seed(c["new"]), names="value")
        self._update_summary()

    # --- method twins -------------------------------------------------------------------
    def set_gomaxprocs(self, n: int) -> None:
        """What the GOMAXPROCS slider does: re-simulate and update the views in place."""
        self._check_procs(n)
        n = int(n)
        if self.procs_slider.value != n:
            self.procs_slider.value = n  # fires observe -> back here
            return
        if n != self.gomaxprocs:
            self.gomaxprocs = n
            self._resimulate()

    def set_workload(self, workload) -> None:
        """What the workload picker does (a preset name or a Workload object)."""
        name, wl = self._resolve(workload)
        if name not in self.workload_picker.options:
            self.workload_picker.options = list(self.workload_picker.options) + [name]
        self.workload_name, self.workload = name, wl
        if self.workload_picker.value != name:
            self.workload_picker.value = name  # fires observe -> back here, cheap repeat
            return
        self._resimulate(keep_time=False)

    def set_seed(self, seed: int) -> None:
        """What the seed box does."""
        self._check_seed(seed)
        if self.seed_box.value != seed:
            self.seed_box.value = seed
            return
        if seed != self.seed:
            self.seed = seed
            self._resimulate()

    @property
    def state(self):
        """The state currently shown."""
        return self.trace.state_at(self.stepper.position)

    @property
    def caption(self) -> str:
        return self._caption(self.stepper.position)

    # --- internals ------------------------------------------------------------------------
    def _check_procs(self, n) -> None:
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or not 1 <= n <= self.max_procs:
            raise ValueError(f"GOMAXPROCS must be an int in 1..{self.max_procs}, got {n!r}")

    @staticmethod
    def _check_seed(seed) -> None:
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or not 0 <= seed < 2**31:
            raise ValueError(f"seed must be an int in 0..2**31-1, got {seed!r}")

    def _resolve(self, workload):
        if isinstance(workload, str):
            return workload, preset_workload(workload)
        name = getattr(workload, "name", None) or "custom"
        return name, workload

    def _simulate(self):
        import gmplab

        return gmplab.simulate(self.workload, self.gomaxprocs, seed=self.seed, **self.costs)

    def _first_of(self, kinds) -> int:
        from gmplab.sched import EVENT_KINDS

        codes = [EVENT_KINDS.index(k) for k in kinds]
        hits = np.flatnonzero(np.isin(np.asarray(self.trace.events["kind"]), codes))
        return int(hits[0]) if len(hits) else -1

    def _resimulate(self, keep_time: bool = True) -> None:
        t_now = self._time_at(self.stepper.position) if keep_time else 0
        self.trace = self._simulate()
        self.timeline.set_trace(self.trace)
        self.stepper.reset(len(self.trace))
        if keep_time and t_now > 0:
            k = int(np.searchsorted(np.asarray(self.trace.events["t"]), t_now, side="right"))
            self.stepper.goto(min(k, len(self.trace)))
        self._update_summary()

    def _time_at(self, k: int) -> int:
        if k == 0 or len(self.trace) == 0:
            return 0
        return int(self.trace.events["t"][k - 1])

    def _caption(self, k: int) -> str:
        if k == 0:
            return f"step 0 — initial state: {self.workload_name}, GOMAXPROCS={self.gomaxprocs}"
        return f"step {k} — {self.trace.describe(k - 1)}"

    def _render(self, k: int) -> None:
        state = self.trace.state_at(k)
        focus_p = focus_g = -1
        if k > 0:
            focus_p = int(self.trace.events["p"][k - 1])
            focus_g = int(self.trace.events["g"][k - 1])
        self.board.update(state, self.gomaxprocs, self._caption(k), focus_p, focus_g)
        self.timeline.set_cursor(self._time_at(k))

    def _update_summary(self) -> None:
        s = self.trace.summary()
        self.summary.value = (f"{self.trace.gomaxprocs} Ps ({self.trace.gomaxprocs} board columns): "
                              f"makespan {s['makespan_ns'] / 1e6:.3f} ms · "
                              f"{s['context_switches']} switches · {s['steals']} steals · "
                              f"{s['handoffs']} handoffs · {s['preemptions']} preemptions · "
                              f"threads high-water {s['threads_high_water']}")

    def static_layout(self, max_steps: int = 300):
        """Board playback over the first ``max_steps`` events, driven in the browser."""
        from gmplab.sched import M_STATUS, WAIT_REASONS
        from gmplab.viz.board import board_data
        from gmplab.viz.player import static_player

        board = GMPBoard(self.gomaxprocs, M_STATUS, WAIT_REASONS)
        last = min(len(self.trace), max_steps)
        frames, captions = [], []
        for k in range(last + 1):
            fp = int(self.trace.events["p"][k - 1]) if k else -1
            fg = int(self.trace.events["g"][k - 1]) if k else -1
            frames.append(board_data(self.trace.state_at(k), self.gomaxprocs, fp, fg))
            captions.append(self._caption(k))
        return static_player(board.cells, frames, captions, board.figure)

    def widget(self) -> widgets.VBox:
        if not hasattr(self, "_widget"):
            controls = widgets.HBox([self.workload_picker, self.procs_slider, self.seed_box])
            views = BokehModel(column(self.board.layout, self.timeline.layout,
                                      sizing_mode="stretch_width"))
            self._widget = widgets.VBox([controls, self.summary, self.stepper.widget(), views])
        return self._widget
