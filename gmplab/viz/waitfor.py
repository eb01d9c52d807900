"""The deadlock detector's wait-for table as a live graph.

TiKV's detector (``src/server/lock_manager/deadlock.rs: DetectTable``) keeps, per waiting
transaction T, the holders L it waits for and the key hashes of the locks: edges T -> L.
When a new waiter asks ``detect(T, L, key_hash)`` it searches from L along out-edges; if
the search reaches T the new edge *would close a cycle*: it is not inserted, and T — the
requester — is the victim.

This view draws ``TxnHistory.wait_for_graph(k)`` (a ``networkx.DiGraph``) through Bokeh's
graph renderer (``bokeh.plotting.from_networkx``):

* nodes are transactions, coloured by status (pending, active, waiting, committed,
  aborted, crashed) and labelled with their name;
* edges are waits, waiter -> holder, drawn as slightly bent arrows (so A -> B and B -> A
  stay apart) and labelled with the key waited for;
* at a ``detect`` that found a deadlock (and at the ``deadlock`` row that cancels the
  victim), the edge that would close the cycle is drawn dashed in vermillion and the
  victim node gets a thick vermillion ring.

The layout is computed once per run from *all* transactions (a circle in txn order), so
nodes never jump between steps; an update replaces the sources' data only.

:func:`waitfor_data` is the pure part (graph + layout -> column dicts).

Example
-------
>>> import networkx as nx
>>> from gmplab.viz.waitfor import stable_layout, waitfor_data
>>> g = nx.DiGraph()
>>> g.add_node(0, status="waiting", name="A"); g.add_node(1, status="active", name="B")
>>> g.add_edge(0, 1, key=0, key_hash=7)
>>> d = waitfor_data(g, stable_layout(2), key_names=["x"])
>>> d["edges"]["start"], d["edges"]["end"], d["edges"]["label"]
([0], [1], ['x'])
"""
from __future__ import annotations

import math

import numpy as np
from bokeh.models import (Arrow, ColumnDataSource, HoverTool, LabelSet, NormalHead, Scatter,
                          StaticLayoutProvider, MultiLine)
from bokeh.plotting import from_networkx

from gmplab.viz.theme import ROLE, new_figure
from gmplab.viz.txnboard import STATUS_COLOR

CLOSING_COLOR = "#D55E00"   # vermillion: the edge that would close a cycle, and its victim
NODE_RADIUS = 0.11          # in data units (the layout lives in [-1, 1]^2)
BEND = 0.12                 # sideways bulge of an edge, as a fraction of its length


def stable_layout(n_txns: int) -> dict[int, tuple[float, float]]:
    """Txn i on a circle at angle 90° - i·360°/n: fixed for a run, so nothing jumps."""
    if isinstance(n_txns, bool) or not isinstance(n_txns, (int, np.integer)) or n_txns < 0:
        raise ValueError(f"n_txns must be an int >= 0, got {n_txns!r}")
    if n_txns == 1:
        return {0: (0.0, 0.0)}
    return {i: (math.cos(math.pi / 2 - 2 * math.pi * i / n_txns),
                math.sin(math.pi / 2 - 2 * math.pi * i / n_txns)) for i in range(n_txns)}


def node_size(n_txns: int) -> int:
    """Node diameter in pixels: 34 for a handful of txns, shrinking so a crowded circle of
    up to a few hundred nodes does not overlap (never below 8)."""
    return int(max(8, min(34, 700 // max(n_txns, 1))))


def _bent_path(p, q, points: int = 13):
    """A quadratic Bézier from node p to node q bulging to the right of p -> q, trimmed to
    the node circles; returns (xs, ys)."""
    (x0, y0), (x1, y1) = p, q
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy) or 1.0
    cx, cy = (x0 + x1) / 2 + dy * BEND, (y0 + y1) / 2 - dx * BEND   # control point, to the right
    ts = np.linspace(0.0, 1.0, points)
    xs = (1 - ts) ** 2 * x0 + 2 * (1 - ts) * ts * cx + ts ** 2 * x1
    ys = (1 - ts) ** 2 * y0 + 2 * (1 - ts) * ts * cy + ts ** 2 * y1
    # trim both ends to the circles' rims; neighbours on a crowded circle keep at least
    # their middle third, so an arrow always has a last segment to point along
    trim = min(NODE_RADIUS / length, 1 / 3)
    sel = (ts >= trim) & (ts <= 1 - trim)
    return xs[sel].tolist(), ys[sel].tolist()


def closing_edge(history, k: int):
    """(victim, holder, key) if the event that produced the state after ``k`` events is a
    ``detect`` that found a deadlock or the ``deadlock`` row cancelling the victim; else None."""
    if not 0 <= k <= len(history):
        raise ValueError(f"k must be in 0..{len(history)}, got {k!r}")
    if k == 0:
        return None
    i = k - 1
    kind, res = history.kind_name(i), history.result_name(i)
    if (kind == "detect" and res == "deadlock") or kind == "deadlock":
        e = history.events
        return int(e["txn"][i]), int(e["other"][i]), int(e["key"][i])
    return None


def waitfor_data(graph, layout, key_names=(), closing=None) -> dict[str, dict]:
    """Column dicts for the graph renderer: ``nodes`` (index, name, status, fill, ring,
    ring_width, x, y), ``edges`` (start, end, xs, ys, label, color, dash, key), and
    ``arrows``/``labels`` for the arrow heads and key labels. ``closing`` =
    (victim, holder, key) adds the would-be edge and rings the victim."""
    nodes = {c: [] for c in ("index", "name", "status", "fill", "ring", "ring_width", "x", "y")}
    victim = closing[0] if closing else -1
    for n, attrs in sorted(graph.nodes(data=True)):
        if n not in layout:
            raise ValueError(f"node {n} has no position in the layout")
        status = attrs.get("status", "active")
        nodes["index"].append(int(n))
        nodes["name"].append(str(attrs.get("name", f"T{n}")))
        nodes["status"].append(status)
        nodes["fill"].append(STATUS_COLOR.get(status, ROLE["idle"]))
        nodes["ring"].append(CLOSING_COLOR if n == victim else "#333333")
        nodes["ring_width"].append(6 if n == victim else 1.5)
        nodes["x"].append(layout[n][0])
        nodes["y"].append(layout[n][1])

    def key_label(key):
        key = int(key)
        return key_names[key] if 0 <= key < len(key_names) else (f"k{key}" if key >= 0 else "?")

    edges = {c: [] for c in ("start", "end", "xs", "ys", "label", "color", "dash", "key")}
    wanted = [(int(u), int(v), d.get("key", -1), False) for u, v, d in sorted(graph.edges(data=True))]
    if closing is not None:
        wanted.append((int(closing[0]), int(closing[1]), int(closing[2]), True))
    for u, v, key, is_closing in wanted:
        xs, ys = _bent_path(layout[u], layout[v])
        edges["start"].append(u)
        edges["end"].append(v)
        edges["xs"].append(xs)
        edges["ys"].append(ys)
        edges["label"].append(key_label(key) + (" (closes a cycle)" if is_closing else ""))
        edges["color"].append(CLOSING_COLOR if is_closing else "#444444")
        edges["dash"].append("dashed" if is_closing else "solid")
        edges["key"].append(int(key))
    arrows = {"x_start": [xs[-2] for xs in edges["xs"]], "y_start": [ys[-2] for ys in edges["ys"]],
              "x_end": [xs[-1] for xs in edges["xs"]], "y_end": [ys[-1] for ys in edges["ys"]],
              "color": list(edges["color"])}
    mid = [len(xs) // 2 for xs in edges["xs"]]
    labels = {"x": [xs[m] for xs, m in zip(edges["xs"], mid)],
              "y": [ys[m] for ys, m in zip(edges["ys"], mid)],
              "text": list(edges["label"]), "color": list(edges["color"])}
    return {"nodes": nodes, "edges": edges, "arrows": arrows, "labels": labels}


class WaitForGraph:
    """The live wait-for graph of a ``TxnHistory``: ``update(k)`` shows the detector's
    table after the first ``k`` events."""

    def __init__(self, history, height: int = 520):
        import networkx as nx

        self.history = history
        self.layout_positions = stable_layout(history.n_txns)
        fig = new_figure("wait-for graph: waiter → holder (key)",
                         height=height, width=height + 40, sizing_mode="fixed",
                         x_range=(-1.35, 1.35), y_range=(-1.3, 1.3),
                         tools="pan,wheel_zoom,reset,save")
        fig.xaxis.visible = fig.yaxis.visible = False
        fig.xgrid.visible = fig.ygrid.visible = False
        seed = nx.DiGraph()
        seed.add_nodes_from(range(history.n_txns))
        self.renderer = from_networkx(seed, self.layout_positions)
        self.renderer.node_renderer.glyph = Scatter(size=node_size(history.n_txns), fill_color="fill",
                                                    line_color="ring", line_width="ring_width")
        self.renderer.edge_renderer.glyph = MultiLine(line_color="color", line_width=2.5,
                                                      line_dash="dash")
        fig.renderers.append(self.renderer)
        self.node_source = self.renderer.node_renderer.data_source
        self.edge_source = self.renderer.edge_renderer.data_source
        self.arrow_source = ColumnDataSource({c: [] for c in ("x_start", "y_start", "x_end",
                                                              "y_end", "color")})
        fig.add_layout(Arrow(source=self.arrow_source, x_start="x_start", y_start="y_start",
                             x_end="x_end", y_end="y_end", line_alpha=0,
                             end=NormalHead(size=14, fill_color="color", line_color="color")))
        self.label_source = ColumnDataSource({c: [] for c in ("x", "y", "text", "color")})
        fig.add_layout(LabelSet(x="x", y="y", text="text", source=self.label_source,
                                text_color="color", text_font_size="11pt", x_offset=4,
                                y_offset=4, background_fill_color="white",
                                background_fill_alpha=0.7))
        self.name_source = ColumnDataSource({c: [] for c in ("x", "y", "name")})
        fig.text("x", "y", text="name", source=self.name_source, text_align="center",
                 text_baseline="middle", text_font_size="10pt", text_font_style="bold")
        fig.add_tools(HoverTool(renderers=[self.renderer.node_renderer],
                                tooltips=[("txn", "@name"), ("status", "@status")]))
        self.figure = fig
        self.update(0)

    def set_history(self, history) -> None:
        """A new run: the layout is recomputed only if the number of txns changed."""
        if history.n_txns != self.history.n_txns:
            self.layout_positions = stable_layout(history.n_txns)
            self.renderer.node_renderer.glyph.size = node_size(history.n_txns)
            self.renderer.layout_provider = StaticLayoutProvider(graph_layout=self.layout_positions)
        self.history = history
        self.update(0)

    def data(self, k: int) -> dict[str, dict]:
        """The column dicts for the state after the first ``k`` events."""
        g = self.history.wait_for_graph(k - 1)
        return waitfor_data(g, self.layout_positions, self.history.workload.key_names,
                            closing_edge(self.history, k))

    def update(self, k: int) -> None:
        d = self.data(k)
        self.node_source.data = d["nodes"]
        self.edge_source.data = d["edges"]
        self.arrow_source.data = d["arrows"]
        self.label_source.data = d["labels"]
        self.name_source.data = {"x": d["nodes"]["x"], "y": d["nodes"]["y"],
                                 "name": d["nodes"]["name"]}


# ---- playback without a kernel ---------------------------------------------------------------
def flat_frame(d: dict[str, dict]) -> dict[str, list]:
    """One frame of :func:`waitfor_data` as a single column dict with scalar columns only (so
    it can be embedded in a page as JSON): node rows, then one row per edge. Node rows carry
    ``nx, ny``; edge rows carry a quadratic curve ``x0, y0, cx, cy, x1, y1``; every row has a
    text label at ``lx, ly``. Missing coordinates are NaN, which Bokeh does not draw."""
    nan = float("nan")
    nodes, edges = d["nodes"], d["edges"]
    n, m = len(nodes["index"]), len(edges["start"])
    out = {c: [] for c in ("nx", "ny", "fill", "ring", "ring_width", "x0", "y0", "cx", "cy",
                           "x1", "y1", "color", "lx", "ly", "text")}
    for i in range(n):
        for c, v in (("nx", nodes["x"][i]), ("ny", nodes["y"][i]), ("fill", nodes["fill"][i]),
                     ("ring", nodes["ring"][i]), ("ring_width", nodes["ring_width"][i]),
                     ("x0", nan), ("y0", nan), ("cx", nan), ("cy", nan), ("x1", nan), ("y1", nan),
                     ("color", "#444444"), ("lx", nodes["x"][i]), ("ly", nodes["y"][i]),
                     ("text", nodes["name"][i])):
            out[c].append(v)
    for j in range(m):
        xs, ys = edges["xs"][j], edges["ys"][j]
        mid = len(xs) // 2
        # the control point that makes a quadratic through the path's middle point
        cx = 2 * xs[mid] - (xs[0] + xs[-1]) / 2
        cy = 2 * ys[mid] - (ys[0] + ys[-1]) / 2
        for c, v in (("nx", nan), ("ny", nan), ("fill", "#FFFFFF"), ("ring", "#FFFFFF"),
                     ("ring_width", 0), ("x0", xs[0]), ("y0", ys[0]), ("cx", cx), ("cy", cy),
                     ("x1", xs[-1]), ("y1", ys[-1]), ("color", edges["color"][j]),
                     ("lx", xs[mid]), ("ly", ys[mid]), ("text", edges["label"][j])):
            out[c].append(v)
    return out


def static_graph_figure(source: ColumnDataSource, n_txns: int, height: int = 520):
    """A fresh figure drawing :func:`flat_frame` rows from ``source`` (for static players)."""
    fig = new_figure("wait-for graph: waiter → holder (key)", height=height, width=height + 40,
                     sizing_mode="fixed", x_range=(-1.35, 1.35), y_range=(-1.3, 1.3),
                     tools="pan,wheel_zoom,reset,save")
    fig.xaxis.visible = fig.yaxis.visible = False
    fig.xgrid.visible = fig.ygrid.visible = False
    fig.quadratic(x0="x0", y0="y0", x1="x1", y1="y1", cx="cx", cy="cy", source=source,
                  line_color="color", line_width=2.5)
    fig.add_layout(Arrow(source=source, x_start="cx", y_start="cy", x_end="x1", y_end="y1",
                         line_alpha=0, end=NormalHead(size=14, fill_color="color", line_color="color")))
    fig.scatter("nx", "ny", source=source, size=node_size(n_txns), fill_color="fill",
                line_color="ring", line_width="ring_width")
    fig.text("lx", "ly", text="text", source=source, text_align="center", text_baseline="middle",
             text_font_size="10pt", text_font_style="bold")
    return fig
