"""One look for every gmplab view: a colour-blind-safe palette and a figure factory.

Colours come from Okabe & Ito's palette (the eight colours of "Color Universal Design",
distinguishable under the common colour-vision deficiencies). Views that need more than
eight categories (one colour per goroutine) cycle through the palette and add hatching or
labels, never rely on colour alone.

Every view builds a *fresh* figure through :func:`new_figure`: a figure that was ever
passed to ``bokeh.io.show`` belongs to the session document, and wrapping it in a
``BokehModel`` later would serialise that whole document.

Example
-------
>>> from gmplab.viz.theme import OKABE_ITO, color_for
>>> color_for(0) == OKABE_ITO[0] and color_for(8) == OKABE_ITO[0]
True
"""
from __future__ import annotations

from bokeh.plotting import figure

#: Okabe & Ito (2008), in their order; black last so it is used least for categories.
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)

#: Meaning-bearing colours used across chapters (all from the palette above).
ROLE = {
    "running": "#009E73",
    "runnable": "#56B4E9",
    "syscall": "#D55E00",
    "waiting": "#CC79A7",
    "idle": "#BBBBBB",
    "spinning": "#E69F00",
    "highlight": "#0072B2",
    "text": "#000000",
}


def color_for(index: int) -> str:
    """The palette colour for category ``index`` (cycling)."""
    if index < 0:
        raise ValueError(f"index must be >= 0, got {index}")
    return OKABE_ITO[index % len(OKABE_ITO)]


def new_figure(title: str = "", height: int = 320, **kwargs) -> figure:
    """A fresh, projector-friendly Bokeh figure (stretches to the cell width)."""
    kwargs.setdefault("sizing_mode", "stretch_width")
    kwargs.setdefault("toolbar_location", "right")
    kwargs.setdefault("tools", "pan,wheel_zoom,box_zoom,reset,save")
    fig = figure(title=title, height=height, **kwargs)
    fig.title.text_font_size = "14pt"
    for axis in (fig.xaxis, fig.yaxis):
        axis.axis_label_text_font_size = "12pt"
        axis.major_label_text_font_size = "11pt"
    return fig
