"""How every app shows itself: live widgets in a kernel, a static Bokeh player when the
chapters are executed for export (``gmplab.publish.static_mode()``)."""
from __future__ import annotations


class LiveOrStatic:
    """Mixin: the class provides ``widget()`` (ipywidgets) and ``static_layout()`` (Bokeh)."""

    def _ipython_display_(self):
        from IPython.display import display

        from gmplab.publish import static_mode

        if static_mode():
            from bokeh.io import show
            show(self.static_layout())
        else:
            display(self.widget())
