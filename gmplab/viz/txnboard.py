"""The transaction board: keys grouped by region, each with its lock slot and its write
records; the TSO clock; and what every client is doing.

Layout (one block of columns per region, one row per key)::

    region 0                               region 1
    x   | put lock · T1           | put@42 =7 (T1)        y | ...
        | start 1 · primary x     | rollback@10 (T2) p
        | ttl 3000                |
        | waiting: T3, T5         |

    TSO 63 · tick 62 · step 9 of 24          <- the clock (a Div above the board)
    client table: txn, mode, status, start_ts, its latest step (an HTML table in a Div)

What a cell says mirrors TiKV's column families: the *lock* cell is ``CF_LOCK`` (one lock
per key: its type, owner txn and start_ts, primary key, TTL; for pessimistic locks the
for_update_ts) plus the key's lock-wait queue, smallest start_ts first
(``lock_waiting_queue.rs``); the *writes* cell is ``CF_WRITE``, newest record first (a Put
at its commit_ts with the value, a Rollback at the txn's start_ts, ``p`` = protected).
Lock cells take the owner's colour; the key the current event touched is outlined in the
highlight colour. Colour is never the only carrier: every cell is labelled.

:func:`board_data` and :func:`clients_data` are the pure parts (state -> column arrays),
testable without a browser; :class:`TxnBoard` owns the figure and replaces its sources'
data on :meth:`TxnBoard.update` — the figure is never rebuilt.

Example
-------
>>> from gmplab import txn
>>> from gmplab.viz.txnboard import board_data
>>> h = txn.simulate(txn.workloads.scenario([("T1", "put", "x", 7), ("T1", "commit")]))
>>> d = board_data(h, 2)            # the state after the first two events (begin, prewrite)
>>> [s.split("\\n")[0] for s in d["lock"]]
['put lock · T1']
"""
from __future__ import annotations

import html

import numpy as np
from bokeh.layouts import column
from bokeh.models import ColumnDataSource, Div

from gmplab.viz.theme import OKABE_ITO, ROLE, new_figure

#: write records shown per key (newest first) before "+N older"
VISIBLE_WRITES = 3
#: block width per region in data units: name 1.0 · lock 2.1 · writes 1.9 · gaps 0.4
REGION_WIDTH = 5.4

#: colours of txn statuses (``gmplab.txn.STATUSES``), shared with the wait-for graph
STATUS_COLOR = {
    "pending": ROLE["idle"],
    "active": ROLE["running"],
    "waiting": ROLE["waiting"],
    "committed": ROLE["highlight"],
    "aborted": "#D55E00",
    "crashed": "#000000",
}


def txn_color(t: int) -> str:
    """A txn's colour on the board: the palette without black (black marks crashes)."""
    palette = OKABE_ITO[:7]
    return palette[int(t) % len(palette)] if t >= 0 else ROLE["idle"]


def _check_k(history, k) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= len(history):
        raise ValueError(f"k must be an int in 0..{len(history)} (events applied), got {k!r}")
    return int(k)


def key_layout(key_region, n_regions: int):
    """(x of each key's region block, row of each key inside its region) — fixed per run."""
    key_region = np.asarray(key_region, dtype=np.int64)
    if key_region.size and (key_region.min() < 0 or key_region.max() >= n_regions):
        raise ValueError(f"key_region values must be in 0..{n_regions - 1}")
    row = np.zeros(key_region.shape[0], dtype=np.int64)
    seen = np.zeros(max(n_regions, 1), dtype=np.int64)
    for key, r in enumerate(key_region):
        row[key] = seen[r]
        seen[r] += 1
    return key_region * REGION_WIDTH, row


def board_data(history, k: int) -> dict[str, list]:
    """One row per key for the state after the first ``k`` events of ``history``.

    Columns: ``x_name, x_lock, x_writes, y`` (cell centres), ``name, lock, writes`` (labels),
    ``fill`` (owner colour or white), ``line``/``lw`` (highlight on the event's key).
    """
    k = _check_k(history, k)
    state = history.state_at(k - 1)
    focus = int(history.events["key"][k - 1]) if k > 0 else -1
    wl = history.workload
    x0, row = key_layout(history.key_region, history.regions)
    out = {c: [] for c in ("x_name", "x_lock", "x_writes", "y", "name", "lock", "writes",
                           "fill", "line", "lw", "region")}
    for key in range(history.n_keys):
        lk = state.locks.get(key)
        primary_of = ""
        if lk is None:
            lock = "no lock"
            fill = "#FFFFFF"
        else:
            owner = wl.txn_name(lk.owner)
            lock = (f"{lk.lock_type} lock · {owner}\n"
                    f"start {lk.start_ts} · primary {wl.key_name(lk.primary)}\nttl {lk.ttl}")
            if lk.lock_type == "pessimistic" or lk.for_update_ts:
                lock += f"\nfor_update_ts {lk.for_update_ts}"
            fill = txn_color(lk.owner)
            if lk.primary == key:
                primary_of = f"\nprimary\nof {owner}"
        waiters = state.wait_queues.get(key, [])
        if waiters:
            lock += "\nwaiting: " + ", ".join(wl.txn_name(t) for t in waiters)
        recs = state.writes.get(key, [])
        lines = []
        for r in recs[:VISIBLE_WRITES]:
            who = wl.txn_name(r.txn) if r.txn >= 0 else "?"
            if r.write_type == "rollback":
                lines.append(f"rollback@{r.ts} ({who}){' p' if r.protected else ''}")
            else:
                lines.append(f"{r.write_type}@{r.ts} ={r.value} ({who})")
        if len(recs) > VISIBLE_WRITES:
            lines.append(f"+{len(recs) - VISIBLE_WRITES} older")
        init = int(wl.key_init[key])
        writes = "\n".join(lines) if lines else f"initial ={init}"
        y = -float(row[key])
        out["x_name"].append(float(x0[key]) + 0.5)
        out["x_lock"].append(float(x0[key]) + 2.1)
        out["x_writes"].append(float(x0[key]) + 4.2)
        out["y"].append(y)
        out["name"].append(wl.key_name(key) + primary_of)
        out["lock"].append(lock)
        out["writes"].append(writes)
        out["fill"].append(fill)
        out["line"].append(ROLE["highlight"] if key == focus else "#555555")
        out["lw"].append(4 if key == focus else 1)
        out["region"].append(int(history.key_region[key]))
    return out


def _step_text(history, i: int) -> str:
    """A short label of event ``i`` for the client table: kind, key, result."""
    kind, res = history.kind_name(i), history.result_name(i)
    key = int(history.events["key"][i])
    name = history.workload.key_name(key) if key >= 0 else ""
    text = f"{kind} {name}".strip()
    return text if res == "ok" else f"{text}: {res}"


def clients_data(history, k: int) -> dict[str, list]:
    """One row per txn: name, mode, status, start_ts, and its latest step before ``k``."""
    from gmplab.txn import MODES

    k = _check_k(history, k)
    state = history.state_at(k - 1)
    actors = np.asarray(history.events["txn"][:k])
    out = {c: [] for c in ("txn", "mode", "status", "start_ts", "last", "color")}
    for t in range(history.n_txns):
        hits = np.flatnonzero(actors == t)
        status = state.status_name(t)
        out["txn"].append(history.workload.txn_name(t))
        out["mode"].append(MODES[int(history.workload.txn_mode[t])])
        out["status"].append(status)
        out["start_ts"].append(int(state.start_ts[t]) if status != "pending" else 0)
        out["last"].append(f"#{hits[-1]} {_step_text(history, int(hits[-1]))}" if hits.size else "—")
        out["color"].append(STATUS_COLOR.get(status, ROLE["idle"]))
    return out


def clients_html(data: dict[str, list]) -> str:
    """The client table (from :func:`clients_data`) as an HTML table; the status cell carries
    the status colour as a left border and its name as text."""
    head = "".join(f"<th style='text-align:left;padding:2px 10px'>{h}</th>"
                   for h in ("txn", "mode", "status", "start_ts", "latest step"))
    rows = []
    for i in range(len(data["txn"])):
        cells = [data["txn"][i], data["mode"][i], data["status"][i],
                 data["start_ts"][i] if data["status"][i] != "pending" else "—", data["last"][i]]
        tds = []
        for j, v in enumerate(cells):
            style = "padding:1px 10px"
            if j == 2:
                style += f";border-left:8px solid {data['color'][i]}"
            tds.append(f"<td style='{style}'>{html.escape(str(v))}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return (f"<table style='border-collapse:collapse;font-size:13px'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def clock_html(history, k: int, caption: str = "") -> str:
    """The TSO clock and the caption of the event that produced the state."""
    k = _check_k(history, k)
    tso = int(history.events["tso"][k - 1]) if k > 0 else 0
    tick = int(history.events["tick"][k - 1]) if k > 0 else 0
    return (f'<div role="status" aria-live="polite" style="font-size:15px">'
            f'<b>TSO {tso}</b> · tick {tick} ms · step {k} of {len(history)}'
            f'<br>{html.escape(caption)}</div>')


class TxnBoard:
    """Keys by region (lock slot + write records), the TSO clock and the client table."""

    def __init__(self, history, height: int | None = None):
        self.history = history
        self.keys = ColumnDataSource(board_data(history, 0))
        self.clients = Div(text=clients_html(clients_data(history, 0)), sizing_mode="stretch_width")
        self.clock = Div(text=clock_html(history, 0), sizing_mode="stretch_width")
        rows = self._rows(history)
        fig = new_figure("keys by region: lock slot (CF_LOCK) and write records (CF_WRITE)",
                         height=height or max(230, 110 * rows + 70), tools="pan,wheel_zoom,reset,save",
                         x_range=(-0.2, REGION_WIDTH * history.regions), y_range=(-rows + 0.4, 1.0))
        fig.xaxis.visible = fig.yaxis.visible = False
        fig.xgrid.visible = fig.ygrid.visible = False
        fig.rect("x_name", "y", width=0.95, height=0.85, source=self.keys, fill_color="#EEEEEE",
                 line_color="line", line_width="lw")
        fig.rect("x_lock", "y", width=2.05, height=0.85, source=self.keys, fill_color="fill",
                 fill_alpha=0.35, line_color="line", line_width="lw")
        fig.rect("x_writes", "y", width=1.85, height=0.85, source=self.keys, fill_color="#FAFAFA",
                 line_color="#999999")
        for col, x in (("name", "x_name"), ("lock", "x_lock"), ("writes", "x_writes")):
            fig.text(x, "y", text=col, source=self.keys, text_align="center",
                     text_baseline="middle", text_font_size="9pt")
        self._region_labels = ColumnDataSource(self._region_label_data(history))
        fig.text("x", "y", text="text", source=self._region_labels, text_font_size="11pt",
                 text_font_style="bold", text_baseline="bottom")
        self.figure = fig
        self.layout = column(self.clock, fig, self.clients, sizing_mode="stretch_width")

    @staticmethod
    def _rows(history) -> int:
        counts = np.bincount(np.asarray(history.key_region, dtype=np.int64),
                             minlength=history.regions)
        return int(max(counts.max(initial=1), 1))

    @staticmethod
    def _region_label_data(history) -> dict[str, list]:
        return {"x": [r * REGION_WIDTH for r in range(history.regions)],
                "y": [0.45] * history.regions,
                "text": [f"region {r}" for r in range(history.regions)]}

    def set_history(self, history) -> None:
        """A new run (after a knob moved): same figure, new ranges and data."""
        self.history = history
        rows = self._rows(history)
        self.figure.x_range.end = REGION_WIDTH * history.regions
        self.figure.y_range.start = -rows + 0.4
        self._region_labels.data = self._region_label_data(history)
        self.update(0)

    def update(self, k: int, caption: str = "") -> None:
        """Show the state after the first ``k`` events."""
        self.keys.data = board_data(self.history, k)
        self.clients.text = clients_html(clients_data(self.history, k))
        self.clock.text = clock_html(self.history, k, caption)
