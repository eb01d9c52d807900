"""The transaction app: the board and the live wait-for graph on the shared stepper, with
knobs for contention, transaction size, mode, crashes, the wait timeout and regions.

A run is ``gmplab.txn.simulate`` on either the ``bank`` workload built from the knobs, or a
hand-made ``scenario`` (then only the engine knobs — wait timeout, TTL, regions, seed —
apply). Moving a knob re-simulates (milliseconds) and updates every view in place,
keeping the reader at the same simulated tick.

Controls and their method twins:

==========================  =====================================================
control                     method
==========================  =====================================================
step / back / slider        :meth:`TxnApp.step`, :meth:`back`, :meth:`goto`
jump to next …              :meth:`next_of` (``"conflict"``, ``"deadlock"``, ``"resolve"``,
                            ``"wait"`` or an event kind such as ``"commit"``)
hot fraction (contention)   :meth:`set_hot_fraction`
keys per txn (size)         :meth:`set_keys_per_txn`
optimistic / pessimistic    :meth:`set_mode`
crash probability           :meth:`set_crash_probability`
wait timeout (ms)           :meth:`set_wait_timeout` (TiKV ``wait_for_lock_timeout``:
                            the waiter's cap per round and the detector edge TTL)
lock TTL (ms)               :meth:`set_ttl`
regions                     :meth:`set_regions`
seed                        :meth:`set_seed`
==========================  =====================================================

Example
-------
>>> from gmplab.apps.txn import TxnApp
>>> app = TxnApp(txns=6, accounts=4, hot_fraction=1.0, seed=1)
>>> app.step(); app.stepper.position
1
>>> app.set_mode("optimistic"); app.mode
'optimistic'
"""
from __future__ import annotations

from gmplab.apps.display import LiveOrStatic, StepperTwins

import ipywidgets as widgets
import numpy as np
from bokeh.layouts import column
from jupyter_bokeh import BokehModel

from gmplab.apps.stepper import Stepper
from gmplab.viz.txnboard import TxnBoard, board_data
from gmplab.viz.waitfor import WaitForGraph

#: what the "jump to next" picker offers: groups of rows (``TxnHistory.JUMPS``) then kinds
JUMP_CHOICES = ("conflict", "deadlock", "resolve", "wait", "prewrite", "commit",
                "check_txn_status", "resolve_lock", "acquire_pessimistic_lock", "detect",
                "client_crash", "finish")
VIEWS = ("board", "graph")


def _is_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _is_fraction(x) -> bool:
    return isinstance(x, (int, float, np.floating, np.integer)) and not isinstance(x, bool) \
        and 0.0 <= float(x) <= 1.0


class TxnApp(StepperTwins, LiveOrStatic):
    """Board (+ wait-for graph) + stepper + workload and engine knobs.

    Parameters
    ----------
    workload : a ``gmplab.txn.workloads.Workload`` (a scenario) or ``None`` for the bank
        workload built from ``accounts, txns, keys_per_txn, hot_fraction, mode,
        crash_probability`` (half of the crashes strike right after the primary commit,
        half right before it).
    views : which views to show, a subset of ``("board", "graph")``.
    regions, seed, wait_timeout, ttl : engine knobs (see ``gmplab.txn.simulate``).
    """

    def __init__(self, workload=None, *, regions: int = 3, seed: int = 0,
                 accounts: int = 8, txns: int = 12, keys_per_txn: int = 2,
                 hot_fraction: float = 0.5, mode: str = "pessimistic",
                 crash_probability: float = 0.0, wait_timeout: int = 1000, ttl: int = 3000,
                 views=VIEWS, **params):
        from gmplab import txn

        self._txn = txn
        views = tuple(views)
        bad = [v for v in views if v not in VIEWS]
        if bad or not views:
            raise ValueError(f"views must be a non-empty subset of {VIEWS}, got {views!r}")
        if workload is not None and not isinstance(workload, txn.Workload):
            raise ValueError(f"workload must be a gmplab.txn Workload or None (bank), got "
                             f"{type(workload).__name__}")
        if not _is_int(accounts) or accounts < 2:
            raise ValueError(f"accounts must be an int >= 2, got {accounts!r}")
        if not _is_int(txns) or not 1 <= txns <= 200:
            raise ValueError(f"txns must be an int in 1..200, got {txns!r}")
        self.scenario = workload
        self.accounts, self.txns = int(accounts), int(txns)
        self._check("keys_per_txn", keys_per_txn)
        self._check("hot_fraction", hot_fraction)
        self._check("mode", mode)
        self._check("crash_probability", crash_probability)
        self._check("wait_timeout", wait_timeout)
        self._check("ttl", ttl)
        self._check("regions", regions)
        self._check("seed", seed)
        self.keys_per_txn, self.hot_fraction, self.mode = int(keys_per_txn), float(hot_fraction), mode
        self.crash_probability = float(crash_probability)
        self.wait_timeout, self.ttl = int(wait_timeout), int(ttl)
        self.regions, self.seed = int(regions), int(seed)
        self.params = params
        self.history = self._simulate()

        self.views = views
        self.board = TxnBoard(self.history) if "board" in views else None
        self.graph = WaitForGraph(self.history) if "graph" in views else None
        self.stepper = Stepper(len(self.history), self._render, kinds=JUMP_CHOICES,
                               find_next=lambda k, kinds: self.history.next_event(k - 1, kinds))
        self._build_controls()
        self._update_summary()

    # --- validation -------------------------------------------------------------------------
    _RULES = {
        "keys_per_txn": (lambda v: _is_int(v) and 1 <= v <= 4, "an int in 1..4"),
        "hot_fraction": (_is_fraction, "a fraction in [0, 1]"),
        "mode": (lambda v: v in ("optimistic", "pessimistic"), "'optimistic' or 'pessimistic'"),
        "crash_probability": (lambda v: _is_fraction(v) and float(v) <= 0.5, "a fraction in [0, 0.5]"),
        "wait_timeout": (lambda v: _is_int(v) and 10 <= v <= 5000, "an int in 10..5000 (ms)"),
        "ttl": (lambda v: _is_int(v) and 10 <= v <= 20000, "an int in 10..20000 (ms)"),
        "regions": (lambda v: _is_int(v) and 1 <= v <= 8, "an int in 1..8"),
        "seed": (lambda v: _is_int(v) and 0 <= v < 2**31, "an int in 0..2**31-1"),
    }

    def _check(self, name, value) -> None:
        ok, allowed = self._RULES[name]
        if not ok(value):
            raise ValueError(f"{name} must be {allowed}, got {value!r}")
        if self.scenario is not None and name in ("keys_per_txn", "hot_fraction", "mode",
                                                  "crash_probability") and hasattr(self, "history"):
            raise ValueError(f"{name} shapes the bank workload; this app runs a hand-made scenario")

    # --- the run ----------------------------------------------------------------------------
    def workload(self):
        """The workload the knobs describe (the scenario, if the app was given one)."""
        if self.scenario is not None:
            return self.scenario
        p = self.crash_probability if self.accounts else 0.0
        return self._txn.workloads.bank(
            accounts=self.accounts, txns=self.txns, keys_per_txn=self.keys_per_txn,
            hot_fraction=self.hot_fraction, mode=self.mode, crash_after_primary=p / 2,
            crash_before_commit=p / 2, seed=self.seed)

    def _simulate(self):
        return self._txn.simulate(self.workload(), regions=self.regions, seed=self.seed,
                                  wait_for_lock_timeout=self.wait_timeout, ttl=self.ttl,
                                  **self.params)

    # --- method twins -----------------------------------------------------------------------
    def _set(self, name: str, value, widget) -> None:
        self._check(name, value)
        if isinstance(value, np.generic):
            value = value.item()
        if widget is not None and widget.value != value:
            widget.value = value          # fires observe -> back here once more
            return
        if getattr(self, name) != value:
            setattr(self, name, value)
            self._resimulate()

    def set_hot_fraction(self, fraction: float) -> None:
        """Contention: the share of transfers that pick the hot accounts."""
        self._set("hot_fraction", float(fraction) if _is_fraction(fraction) else fraction,
                  self.hot_slider)

    def set_keys_per_txn(self, n: int) -> None:
        """Transaction size: accounts touched per transfer."""
        self._set("keys_per_txn", n, self.size_slider)

    def set_mode(self, mode: str) -> None:
        """Optimistic (conflicts found at prewrite) or pessimistic (locks taken per statement)."""
        self._set("mode", mode, self.mode_picker)

    def set_crash_probability(self, p: float) -> None:
        """Chance that a client dies during its commit (half after the primary commit)."""
        self._set("crash_probability", float(p) if _is_fraction(p) else p, self.crash_slider)

    def set_wait_timeout(self, ms: int) -> None:
        """TiKV's wait_for_lock_timeout: how long a waiter waits per round, and the TTL of
        its detector edge."""
        self._set("wait_timeout", ms, self.wait_slider)

    def set_ttl(self, ms: int) -> None:
        """The prewrite lock TTL (client-go txnLockTTL)."""
        self._set("ttl", ms, self.ttl_slider)

    def set_regions(self, n: int) -> None:
        self._set("regions", n, self.regions_slider)

    def set_seed(self, seed: int) -> None:
        self._set("seed", seed, self.seed_box)

    @property
    def state(self):
        """The state shown (after the first ``position`` events)."""
        return self.history.state_at(self.stepper.position - 1)

    @property
    def caption(self) -> str:
        return self._caption(self.stepper.position)

    # --- internals --------------------------------------------------------------------------
    def _build_controls(self) -> None:
        bank = self.scenario is None
        style = {"description_width": "initial"}
        self.hot_slider = widgets.FloatSlider(value=self.hot_fraction, min=0, max=1, step=0.05,
                                              description="hot fraction", disabled=not bank,
                                              continuous_update=False, style=style)
        self.size_slider = widgets.IntSlider(value=self.keys_per_txn, min=1, max=4,
                                             description="keys per txn", disabled=not bank,
                                             continuous_update=False, style=style)
        self.mode_picker = widgets.ToggleButtons(options=["optimistic", "pessimistic"],
                                                 value=self.mode, disabled=not bank)
        self.crash_slider = widgets.FloatSlider(value=self.crash_probability, min=0, max=0.5,
                                                step=0.05, description="crash probability",
                                                disabled=not bank, continuous_update=False,
                                                style=style)
        self.wait_slider = widgets.IntSlider(value=self.wait_timeout, min=10, max=5000, step=10,
                                             description="wait timeout (ms)",
                                             continuous_update=False, style=style)
        self.ttl_slider = widgets.IntSlider(value=self.ttl, min=10, max=20000, step=10,
                                            description="lock TTL (ms)",
                                            continuous_update=False, style=style)
        self.regions_slider = widgets.IntSlider(value=self.regions, min=1, max=8,
                                                description="regions", continuous_update=False,
                                                style=style)
        self.seed_box = widgets.BoundedIntText(value=self.seed, min=0, max=2**31 - 1,
                                               description="seed",
                                               layout=widgets.Layout(width="180px"))
        self.summary = widgets.HTML()
        for w, method in ((self.hot_slider, self.set_hot_fraction),
                          (self.size_slider, self.set_keys_per_txn),
                          (self.mode_picker, self.set_mode),
                          (self.crash_slider, self.set_crash_probability),
                          (self.wait_slider, self.set_wait_timeout),
                          (self.ttl_slider, self.set_ttl),
                          (self.regions_slider, self.set_regions),
                          (self.seed_box, self.set_seed)):
            w.observe(lambda c, m=method: m(c["new"]), names="value")

    def _resimulate(self) -> None:
        k = self.stepper.position
        tick = int(self.history.events["tick"][k - 1]) if k > 0 else 0
        self.history = self._simulate()
        for view in (self.board, self.graph):
            if view is not None:
                view.set_history(self.history)
        self.stepper.reset(len(self.history))
        if tick > 0:
            k = int(np.searchsorted(self.history.events["tick"], tick, side="right"))
            self.stepper.goto(min(k, len(self.history)))
        self._update_summary()

    def _caption(self, k: int) -> str:
        if k == 0:
            return "step 0 — before the first event"
        return self.history.describe(k - 1)

    def _render(self, k: int) -> None:
        if self.board is not None:
            self.board.update(k, self._caption(k))
        if self.graph is not None:
            self.graph.update(k)

    def _update_summary(self) -> None:
        s = self.history.summary()
        ok = self.history.check().ok
        aborts = ", ".join(f"{n} {r}" for r, n in s["aborts_by_reason"].items()) or "none"
        self.summary.value = (f"{s['txns']} txns · {s['committed']} committed · aborts: {aborts} · "
                              f"{s['deadlocks']} deadlocks · {s['lock_waits']} lock waits · "
                              f"{s['resolved_locks']} locks resolved · {s['events']} events · "
                              f"history checks {'pass' if ok else 'FAIL'}")

    def widget(self) -> widgets.VBox:
        """Knobs, summary, transport bar and the views."""
        if not hasattr(self, "_widget"):
            engine = [self.wait_slider, self.ttl_slider, self.regions_slider, self.seed_box]
            if self.scenario is None:
                knobs = widgets.VBox([
                    widgets.HBox([self.mode_picker, self.hot_slider, self.size_slider]),
                    widgets.HBox([self.crash_slider] + engine[:2]),
                    widgets.HBox(engine[2:])])
            else:   # a hand-made scenario fixes the workload: only the engine knobs apply
                knobs = widgets.VBox([widgets.HBox(engine[:2]), widgets.HBox(engine[2:])])
            figs = []
            if self.board is not None:
                figs.append(self.board.layout)
            if self.graph is not None:
                figs.append(self.graph.figure)
            views = BokehModel(column(*figs, sizing_mode="stretch_width"))
            self._widget = widgets.VBox([knobs, self.summary, self.stepper.widget(), views])
        return self._widget

    def static_layout(self, max_frames: int = 400):
        """The board (and the wait-for graph) played back in the browser without a kernel
        (exported pages): one slider drives both, through precomputed frames."""
        from bokeh.layouts import column as bk_column
        from bokeh.models import ColumnDataSource, CustomJS, Slider

        from gmplab.viz.player import _jsonable, static_player
        from gmplab.viz.waitfor import flat_frame, static_graph_figure

        n = min(len(self.history), max_frames)
        board = TxnBoard(self.history)
        frames = [board_data(self.history, k) for k in range(n + 1)]
        captions = [self._caption(k) for k in range(n + 1)]
        body = [board.figure]
        graph_frames = None
        if self.graph is not None:
            graph_frames = [_jsonable(flat_frame(self.graph.data(k))) for k in range(n + 1)]
            graph_source = ColumnDataSource(graph_frames[0])
            body.append(static_graph_figure(graph_source, self.history.n_txns))
        layout = static_player(board.keys, frames, captions, bk_column(*body, sizing_mode="stretch_width"))
        if graph_frames is not None:
            slider = next(m for m in layout.select({"type": Slider}) if "gmplab-step-slider" in m.tags)
            slider.js_on_change("value", CustomJS(args=dict(source=graph_source, frames=graph_frames,
                                                            slider=slider), code="""
                const k = Math.max(0, Math.min(frames.length - 1, slider.value));
                source.data = Object.assign({}, frames[k]);
            """))
        return layout
