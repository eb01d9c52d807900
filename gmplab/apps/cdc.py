"""The CDC app: replay TiCDC's ordered merge arrival by arrival on the shared stepper, with
the fault switches that break resolved ts on purpose.

A run is: ``gmplab.txn.simulate`` (a bank workload by default) -> ``gmplab.cdc.streams``
(per-region events as TiKV's CDC endpoint sends them) -> ``gmplab.cdc.merge`` (puller,
sorter, sink) -> ``gmplab.cdc.check``. The stepper's position is the number of arrivals
the merge has consumed.

Controls and their method twins:

==============================  =================================================
control                         method
==============================  =================================================
step / back / slider / play     :meth:`CdcApp.step`, :meth:`back`, :meth:`goto`, :meth:`play`
jump to next …                  :meth:`next_of` (``"frontier"`` = a resolved-ts advance,
                                ``"late_commit"``, ``"duplicate"``, or an op name)
regions                         :meth:`set_regions`
resolved-ts interval (ms)       :meth:`set_min_ts_interval` (TiKV cdc.min-ts-interval)
network delay (ms)              :meth:`set_max_delay`
untracked lock (fault)          :meth:`set_untracked_lock`
re-subscribe (fault)            :meth:`set_resubscribe`
orphan lock (fault)             :meth:`set_orphan_lock`
seed                            :meth:`set_seed`
==============================  =================================================

Example
-------
>>> from gmplab.apps.cdc import CdcApp
>>> app = CdcApp(txns=8, regions=2)
>>> app.report.ok
True
>>> app.set_untracked_lock(True); app.untracked_txn >= 0
True
"""
from __future__ import annotations

from gmplab.apps.display import LiveOrStatic, StepperTwins

import ipywidgets as widgets
import numpy as np
from bokeh.layouts import column
from jupyter_bokeh import BokehModel

from gmplab.apps.stepper import Stepper
from gmplab.viz.cdcview import CdcView, cdc_data, describe_arrival

CDC_JUMPS = ("frontier", "late_commit", "duplicate")
JUMP_CHOICES = CDC_JUMPS + ("commit", "prewrite", "rollback", "committed", "resolved", "initialized")


def _is_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def pick_untracked_txn(history) -> int:
    """The committed txn whose commit records were applied longest after its commit_ts was
    fetched (largest TSO gap) — the one a missed lock most exposes; -1 if none committed."""
    from gmplab.txn import kernel as K

    e = history.events
    rows = np.flatnonzero(((e["kind"] == K.K_COMMIT) | ((e["kind"] == K.K_RESOLVE_LOCK) & (e["ts2"] > 0)))
                          & (e["result"] == K.R_OK))
    if rows.size == 0:
        return -1
    gap = e["tso"][rows] - e["ts2"][rows]
    owners = np.where(e["kind"][rows] == K.K_COMMIT, e["txn"][rows], e["other"][rows])
    best = np.lexsort((owners, -gap))[0]
    return int(owners[best])


def resubscribe_tick(history, region: int) -> int:
    """A tick for region ``region`` to re-subscribe: just after its first commit record at
    or after the middle of the run (so the re-scan has a row above the region's resolved ts
    to send again); the middle tick if the region has no commit there."""
    from gmplab.txn import kernel as K

    e = history.events
    last = int(e["tick"][-1]) if len(history) else 0
    on_region = history.key_region[np.maximum(e["key"], 0)] == region
    commits = np.flatnonzero(((e["kind"] == K.K_COMMIT) | ((e["kind"] == K.K_RESOLVE_LOCK) & (e["ts2"] > 0)))
                             & (e["result"] == K.R_OK) & (e["key"] >= 0) & on_region
                             & (e["tick"] >= last // 2))
    return int(e["tick"][commits[0]]) if commits.size else last // 2


def arrival_mask(streams, merged, what: str) -> np.ndarray:
    """Arrivals for the jump buttons: ``frontier`` (the table's resolved ts rose),
    ``late_commit`` (a COMMIT/COMMITTED at or below the frontier already reached),
    ``duplicate`` (a row that arrived before), or an op name."""
    from gmplab.cdc import OPS

    e = streams.events
    n = len(streams)
    if what == "frontier":
        f = merged.frontier
        return np.diff(np.concatenate(([0], f))) > 0
    is_row = np.isin(e["op"], [OPS.index("commit"), OPS.index("committed")])
    if what == "late_commit":
        before = np.concatenate(([0], merged.frontier[:-1])) if n else np.zeros(0, dtype=np.int64)
        return is_row & (e["commit_ts"] <= before)
    if what == "duplicate":
        pairs = e["key"] * (1 << 40) + e["start_ts"]
        seen, out = set(), np.zeros(n, dtype=bool)
        for i in np.flatnonzero(is_row):
            out[i] = int(pairs[i]) in seen
            seen.add(int(pairs[i]))
        return out
    if what in OPS:
        return e["op"] == OPS.index(what)
    raise ValueError(f"what must be one of {JUMP_CHOICES}, got {what!r}")


class CdcApp(StepperTwins, LiveOrStatic):
    """Region lanes, merge buffer, ordered output and checkpoint, on the stepper.

    Parameters
    ----------
    workload : a ``gmplab.txn`` Workload, or ``None`` for an optimistic bank workload of
        ``txns`` transfers over ``accounts`` accounts (``crash_probability`` of the clients
        die right after their primary commit, so readers roll their secondaries forward).
    regions, seed : of the transaction run and of the network delays.
    min_ts_interval : ms between RESOLVED events (TiKV ``cdc.min-ts-interval``, 1000 in
        TiKV; small here so a short run shows many).
    max_delay : each region's events arrive up to this many ms late (fixed per region).
    untracked_lock, resubscribe, orphan_lock : the fault switches (see ``gmplab.cdc.streams``).
    """

    def __init__(self, workload=None, *, regions: int = 3, seed: int = 0, txns: int = 16,
                 accounts: int = 8, crash_probability: float = 0.0, min_ts_interval: int = 5,
                 max_delay: int = 6, untracked_lock: bool = False, resubscribe: bool = False,
                 orphan_lock: bool = False):
        from gmplab import cdc, txn

        self._txn, self._cdc = txn, cdc
        if workload is not None and not isinstance(workload, txn.Workload):
            raise ValueError(f"workload must be a gmplab.txn Workload or None, got {type(workload).__name__}")
        if not _is_int(txns) or not 1 <= txns <= 200:
            raise ValueError(f"txns must be an int in 1..200, got {txns!r}")
        if not _is_int(accounts) or accounts < 2:
            raise ValueError(f"accounts must be an int >= 2, got {accounts!r}")
        if isinstance(crash_probability, bool) or not isinstance(crash_probability, (int, float)) \
                or not 0 <= crash_probability <= 1:
            raise ValueError(f"crash_probability must be a fraction in [0, 1], got {crash_probability!r}")
        self.scenario, self.txns, self.accounts = workload, int(txns), int(accounts)
        self.crash_probability = float(crash_probability)
        for name, value in (("regions", regions), ("seed", seed), ("min_ts_interval", min_ts_interval),
                            ("max_delay", max_delay)):
            self._check(name, value)
        for name, value in (("untracked_lock", untracked_lock), ("resubscribe", resubscribe),
                            ("orphan_lock", orphan_lock)):
            self._check_bool(name, value)
        self.regions, self.seed = int(regions), int(seed)
        self.min_ts_interval, self.max_delay = int(min_ts_interval), int(max_delay)
        self.untracked_lock, self.resubscribe, self.orphan_lock = untracked_lock, resubscribe, orphan_lock
        self._run()
        self.view = CdcView(self.streams, self.merged)
        self.stepper = Stepper(len(self.streams), self._render, kinds=JUMP_CHOICES,
                               find_next=self._find_next)
        self._build_controls()

    # --- validation ---------------------------------------------------------------------------
    _RULES = {
        "regions": (lambda v: _is_int(v) and 1 <= v <= 8, "an int in 1..8"),
        "seed": (lambda v: _is_int(v) and 0 <= v < 2**31, "an int in 0..2**31-1"),
        "min_ts_interval": (lambda v: _is_int(v) and 1 <= v <= 1000, "an int in 1..1000 (ms)"),
        "max_delay": (lambda v: _is_int(v) and 0 <= v <= 100, "an int in 0..100 (ms)"),
    }

    def _check(self, name, value) -> None:
        ok, allowed = self._RULES[name]
        if not ok(value):
            raise ValueError(f"{name} must be {allowed}, got {value!r}")

    @staticmethod
    def _check_bool(name, value) -> None:
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{name} must be True or False, got {value!r}")

    # --- the run --------------------------------------------------------------------------------
    def workload(self):
        if self.scenario is not None:
            return self.scenario
        return self._txn.workloads.bank(accounts=self.accounts, txns=self.txns, keys_per_txn=2,
                                        hot_fraction=0.3, mode="optimistic",
                                        crash_after_primary=self.crash_probability, seed=self.seed)

    def fault_args(self) -> dict:
        """The fault switches as ``gmplab.cdc.streams`` arguments for the current history."""
        h = self.history
        last = int(h.events["tick"][-1]) if len(h) else 0
        args = {}
        self.untracked_txn = -1
        if self.untracked_lock:
            self.untracked_txn = pick_untracked_txn(h)
            if self.untracked_txn >= 0:
                args["untracked_txn"] = self.untracked_txn
        if self.resubscribe:
            args["resubscribe"] = [(0, resubscribe_tick(h, 0))]
        if self.orphan_lock:
            args["orphan_lock"] = (0, last // 4, max(last, 1))
        return args

    def _run(self) -> None:
        self.history = self._txn.simulate(self.workload(), regions=self.regions, seed=self.seed)
        self.streams = self._cdc.streams(self.history, min_ts_interval=self.min_ts_interval,
                                         max_delay=self.max_delay, seed=self.seed,
                                         **self.fault_args())
        self.merged = self._cdc.merge(self.streams)
        self.report = self._cdc.check(self.history, self.streams, self.merged)
        self._masks = {}

    def _find_next(self, k: int, kinds) -> int:
        mask = np.zeros(len(self.streams), dtype=bool)
        for name in kinds:
            if name not in self._masks:
                self._masks[name] = arrival_mask(self.streams, self.merged, name)
            mask |= self._masks[name]
        hits = np.flatnonzero(mask[k:])
        return int(k + hits[0]) if hits.size else -1

    # --- method twins -----------------------------------------------------------------------------
    def _set(self, name, value, widget) -> None:
        if name in self._RULES:
            self._check(name, value)
        else:
            self._check_bool(name, value)
        if isinstance(value, np.generic):
            value = value.item()
        if widget.value != value:
            widget.value = value            # fires observe -> back here once more
            return
        if getattr(self, name) != value:
            setattr(self, name, value)
            self._resimulate()

    def set_regions(self, n: int) -> None:
        self._set("regions", n, self.regions_slider)

    def set_seed(self, seed: int) -> None:
        self._set("seed", seed, self.seed_box)

    def set_min_ts_interval(self, ms: int) -> None:
        """How often each region sends its resolved ts."""
        self._set("min_ts_interval", ms, self.interval_slider)

    def set_max_delay(self, ms: int) -> None:
        """How late a region's events may arrive (regions interleave out of order)."""
        self._set("max_delay", ms, self.delay_slider)

    def set_untracked_lock(self, on: bool) -> None:
        """Fault: the lock tracker misses one txn's locks — resolved ts runs too high."""
        self._set("untracked_lock", on, self.untracked_box)

    def set_resubscribe(self, on: bool) -> None:
        """Fault: region 0 re-subscribes halfway (a split): the re-scan re-sends rows."""
        self._set("resubscribe", on, self.resubscribe_box)

    def set_orphan_lock(self, on: bool) -> None:
        """Fault: an orphan lock in region 0 holds its resolved ts back for a while."""
        self._set("orphan_lock", on, self.orphan_box)

    @property
    def status(self) -> dict:
        """The numbers of the state shown: frontier, checkpoint, emitted, buffered, ..."""
        return cdc_data(self.streams, self.merged, self.stepper.position, self.view._flags)["status"]

    @property
    def caption(self) -> str:
        return self._caption(self.stepper.position)

    def _caption(self, k: int) -> str:
        return "before the first arrival" if k == 0 else describe_arrival(self.streams, k - 1)

    # --- internals ------------------------------------------------------------------------------
    def _build_controls(self) -> None:
        style = {"description_width": "initial"}
        self.regions_slider = widgets.IntSlider(value=self.regions, min=1, max=8, description="regions",
                                                continuous_update=False, style=style)
        self.interval_slider = widgets.IntSlider(value=self.min_ts_interval, min=1, max=50,
                                                 description="resolved-ts interval (ms)",
                                                 continuous_update=False, style=style)
        self.delay_slider = widgets.IntSlider(value=self.max_delay, min=0, max=30,
                                              description="network delay (ms)",
                                              continuous_update=False, style=style)
        self.seed_box = widgets.BoundedIntText(value=self.seed, min=0, max=2**31 - 1, description="seed",
                                               layout=widgets.Layout(width="180px"))
        self.untracked_box = widgets.Checkbox(value=self.untracked_lock, description="untracked lock")
        self.resubscribe_box = widgets.Checkbox(value=self.resubscribe, description="re-subscribe")
        self.orphan_box = widgets.Checkbox(value=self.orphan_lock, description="orphan lock")
        self.summary = widgets.HTML()
        for w, method in ((self.regions_slider, self.set_regions), (self.seed_box, self.set_seed),
                          (self.interval_slider, self.set_min_ts_interval),
                          (self.delay_slider, self.set_max_delay),
                          (self.untracked_box, self.set_untracked_lock),
                          (self.resubscribe_box, self.set_resubscribe),
                          (self.orphan_box, self.set_orphan_lock)):
            w.observe(lambda c, m=method: m(c["new"]), names="value")
        self._update_summary()

    def _resimulate(self) -> None:
        self._run()
        self.view.set_run(self.streams, self.merged)
        self.stepper.reset(len(self.streams))
        self._update_summary()

    def _render(self, k: int) -> None:
        self.view.update(k, self._caption(k))

    def _update_summary(self) -> None:
        r = self.report
        faults = [n for n, on in (("untracked lock", self.untracked_lock),
                                  ("re-subscribe", self.resubscribe),
                                  ("orphan lock", self.orphan_lock)) if on]
        self.summary.value = (f"{len(self.streams)} arrivals from {self.regions} regions · "
                              f"{len(self.merged)} rows emitted · {r.duplicates} duplicates · "
                              f"CDC checks {'pass' if r.ok else f'FAIL ({len(r.violations)})'} · "
                              f"faults: {', '.join(faults) or 'none'}")

    def widget(self) -> widgets.VBox:
        if not hasattr(self, "_widget"):
            knobs = widgets.VBox([
                widgets.HBox([self.regions_slider, self.interval_slider, self.delay_slider]),
                widgets.HBox([self.untracked_box, self.resubscribe_box, self.orphan_box, self.seed_box])])
            views = BokehModel(column(self.view.layout, sizing_mode="stretch_width"))
            self._widget = widgets.VBox([knobs, self.summary, self.stepper.widget(), views])
        return self._widget

    def static_layout(self, max_frames: int = 400):
        """Lanes, buffer and ordered output played back in the browser without a kernel:
        one slider swaps precomputed frames of all three sources."""
        from bokeh.layouts import column as bk_column
        from bokeh.models import CustomJS, Slider

        from gmplab.viz.cdcview import WINDOW
        from gmplab.viz.player import _jsonable, static_player

        view = CdcView(self.streams, self.merged)
        n = min(len(self.streams), max_frames)
        data = [cdc_data(self.streams, self.merged, k, view._flags) for k in range(n + 1)]
        captions = [self._caption(k) for k in range(n + 1)]
        layout = static_player(view.emitted, [d["emitted"] for d in data], captions,
                               bk_column(view.lanes_figure, view.output_figure,
                                         sizing_mode="stretch_width"))
        slider = next(m for m in layout.select({"type": Slider}) if "gmplab-step-slider" in m.tags)
        slider.js_on_change("value", CustomJS(args=dict(
            lanes=view.lanes, buffer=view.buffer, xr=view.lanes_figure.x_range,
            line=view.checkpoint_line, slider=slider, window=WINDOW,
            lane_frames=[_jsonable(d["lanes"]) for d in data],
            buffer_frames=[_jsonable(d["buffer"]) for d in data],
            checkpoints=[d["status"]["checkpoint"] for d in data]), code="""
            const k = Math.max(0, Math.min(lane_frames.length - 1, slider.value));
            lanes.data = Object.assign({}, lane_frames[k]);
            buffer.data = Object.assign({}, buffer_frames[k]);
            line.location = checkpoints[k];
            xr.start = Math.max(0, k - window) - 0.5;
            xr.end = Math.max(k, window) + 0.5;
        """))
        return layout
