"""Playback without a kernel: a Bokeh layout whose slider and buttons swap precomputed
frames in the browser (``CustomJS``), for exported HTML, handouts and projector machines
with no Python.

A *frame* is the full ``data`` dict of one ColumnDataSource at one step, as computed by
the live view's own pure function (``board_data`` and friends), so the static copy shows
exactly what the live app shows. Frames are embedded once in the page as JSON.

Controls: ◀ and ▶ buttons, a slider over steps (arrow keys move it once focused), a
play/pause toggle, and a caption in an ARIA live region so a screen reader announces each
transition.
"""
from __future__ import annotations

import html
from typing import Sequence

import numpy as np
from bokeh.layouts import column, row
from bokeh.models import Button, ColumnDataSource, CustomJS, Div, Slider, Toggle


def _jsonable(frame: dict) -> dict:
    out = {}
    for key, values in frame.items():
        arr = np.asarray(values)
        out[key] = arr.tolist() if arr.dtype.kind != "U" else [str(v) for v in arr]
    return out


def static_player(source: ColumnDataSource, frames: Sequence[dict], captions: Sequence[str],
                  body, spans: Sequence = (), times_us: Sequence[float] | None = None,
                  interval_ms: int = 400):
    """A layout: transport controls + caption + ``body`` (which draws from ``source``)."""
    if len(frames) == 0 or len(frames) != len(captions):
        raise ValueError(f"frames and captions must be non-empty and of equal length, "
                         f"got {len(frames)} and {len(captions)}")
    if times_us is not None and len(times_us) != len(frames):
        raise ValueError(f"times_us must have one entry per frame ({len(frames)}), got {len(times_us)}")
    frames_js = [_jsonable(f) for f in frames]
    caption_html = [f'<div role="status" aria-live="polite">{html.escape(c)}</div>' for c in captions]
    source.data = frames[0]
    caption = Div(text=caption_html[0], styles={"font-size": "15px"}, sizing_mode="stretch_width")
    caption.tags = ["gmplab-caption"]
    last = len(frames) - 1
    slider = Slider(start=0, end=max(last, 1), value=0, step=1, title="step",
                    sizing_mode="stretch_width", disabled=last == 0)
    slider.tags = ["gmplab-step-slider"]
    show = CustomJS(args=dict(source=source, frames=frames_js, captions=caption_html,
                              caption=caption, slider=slider, spans=list(spans),
                              times=list(times_us) if times_us is not None else []),
                    code="""
        const k = Math.max(0, Math.min(frames.length - 1, slider.value));
        source.data = Object.assign({}, frames[k]);
        caption.text = captions[k];
        if (times.length) { for (const s of spans) { s.location = times[k]; } }
    """)
    slider.js_on_change("value", show)
    back = Button(label="◀ back", width=90)
    back.js_on_click(CustomJS(args=dict(slider=slider),
                              code="slider.value = Math.max(slider.start, slider.value - 1);"))
    forward = Button(label="step ▶", width=90)
    forward.js_on_click(CustomJS(args=dict(slider=slider),
                                 code="slider.value = Math.min(slider.end, slider.value + 1);"))
    play = Toggle(label="play / pause", width=110)
    play.js_on_change("active", CustomJS(args=dict(slider=slider, interval=interval_ms), code="""
        const key = "gmplab_timer_" + slider.id;
        if (cb_obj.active) {
            window[key] = setInterval(() => {
                if (slider.value >= slider.end) { slider.value = slider.start; }
                else { slider.value = slider.value + 1; }
            }, interval);
        } else if (window[key]) { clearInterval(window[key]); window[key] = null; }
    """))
    controls = row(play, back, forward, slider, sizing_mode="stretch_width")
    return column(controls, caption, body, sizing_mode="stretch_width")
