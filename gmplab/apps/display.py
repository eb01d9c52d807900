"""What every app shares: the stepper's method twins, and how it shows itself: live widgets in a kernel, a static Bokeh player when the
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


class StepperTwins:
    """Mixin: the transport twins of an app that owns a ``self.stepper``."""

    def step(self) -> None:
        self.stepper.step()

    def back(self) -> None:
        self.stepper.back()

    def goto(self, k: int) -> None:
        self.stepper.goto(k)

    def play(self, steps: int) -> None:
        self.stepper.play(steps)

    def next_of(self, kind) -> int:
        return self.stepper.next_of(kind)

    @property
    def position(self) -> int:
        return self.stepper.position
