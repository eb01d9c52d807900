"""A generic stepper over an event log: the transport bar every chapter reuses.

A :class:`Stepper` knows nothing about schedulers or transactions. It holds a position
``k`` in ``0..n`` (the state after the first ``k`` events) and calls ``render(k)``
whenever the position changes. Its controls:

* play / pause (an ``ipywidgets.Play`` linked in the browser to the position slider),
* step back, step forward,
* a slider over all positions,
* "next event of kind …" (a dropdown of kinds and a button),
* speed (milliseconds per step while playing).

Every control has a Python method twin — :meth:`step`, :meth:`back`, :meth:`goto`,
:meth:`next_of`, :meth:`set_speed`, :meth:`play` — so a cell or a test drives exactly the
code path the mouse does. ``render`` must be idempotent ("show step k"), because the
browser skips intermediate slider values while the kernel is busy.

Example
-------
>>> shown = []
>>> s = Stepper(n=10, render=shown.append, kinds=("a", "b"),
...             find_next=lambda k, kinds: 7 if k < 7 else -1)
>>> s.step(); s.step(); s.back(); s.position
1
>>> _ = s.next_of("b"); s.position
8
>>> shown
[0, 1, 2, 1, 8]
"""
from __future__ import annotations

from typing import Callable, Sequence

import ipywidgets as widgets


class Stepper:
    """Position ``0..n`` over an event log, with controls and their method twins.

    ``find_next(k, kinds)`` returns the index of the first event after position ``k``
    whose kind is in ``kinds`` (or -1); the stepper moves to just *after* that event, so
    the board shows the state that event produced.
    """

    def __init__(self, n: int, render: Callable[[int], None], kinds: Sequence[str] = (),
                 find_next: Callable[[int, Sequence[str]], int] | None = None,
                 interval_ms: int = 300):
        self._render = render
        self._find_next = find_next
        self.position = 0
        self.play_widget = widgets.Play(value=0, min=0, max=max(n, 0), step=1,
                                        interval=interval_ms, description="play",
                                        show_repeat=False)
        self.slider = widgets.IntSlider(value=0, min=0, max=max(n, 0), description="step",
                                        continuous_update=True,
                                        layout=widgets.Layout(width="55%"))
        # One direction only: a two-way link echoes stale values back while the kernel is busy.
        widgets.jsdlink((self.play_widget, "value"), (self.slider, "value"))
        self.back_button = widgets.Button(description="◀ back", tooltip="step back (method: back())",
                                          layout=widgets.Layout(width="auto"))
        self.step_button = widgets.Button(description="step ▶", tooltip="step forward (method: step())",
                                          layout=widgets.Layout(width="auto"))
        self.kind_picker = widgets.Dropdown(options=list(kinds), description="next",
                                            layout=widgets.Layout(width="auto"))
        self.next_button = widgets.Button(description="jump →", tooltip="jump to the next event of this kind",
                                          layout=widgets.Layout(width="auto"),
                                          disabled=not kinds or find_next is None)
        self.speed = widgets.IntSlider(value=interval_ms, min=30, max=2000, step=10,
                                       description="ms/step", continuous_update=False,
                                       layout=widgets.Layout(width="auto"))
        self.status = widgets.HTML()

        self.slider.observe(lambda c: self.goto(c["new"]), names="value")
        self.play_widget.observe(lambda c: self.goto(c["new"]), names="value")
        self.back_button.on_click(lambda _: self.back())
        self.step_button.on_click(lambda _: self.step())
        self.next_button.on_click(lambda _: self.next_of(self.kind_picker.value))
        self.speed.observe(lambda c: self.set_speed(c["new"]), names="value")
        self.n = n
        self._show(0)

    # --- method twins -----------------------------------------------------------------
    def goto(self, k: int) -> None:
        """Show the state after the first ``k`` events (the slider)."""
        if not isinstance(k, int) or isinstance(k, bool):
            raise ValueError(f"step must be an int in 0..{self.n}, got {k!r}")
        if not 0 <= k <= self.n:
            raise ValueError(f"step must be in 0..{self.n}, got {k}")
        if k != self.position:
            self._show(k)

    def step(self) -> None:
        """One event forward (the step button); stays put at the end."""
        if self.position < self.n:
            self.goto(self.position + 1)

    def back(self) -> None:
        """One event back (the back button); stays put at the start."""
        if self.position > 0:
            self.goto(self.position - 1)

    def next_of(self, kind: str | Sequence[str]) -> int:
        """Jump just past the next event of ``kind`` (the jump button); return its index or -1."""
        kinds = (kind,) if isinstance(kind, str) else tuple(kind)
        allowed = tuple(self.kind_picker.options)
        for name in kinds:
            if name not in allowed:
                raise ValueError(f"kind must be one of {allowed}, got {name!r}")
        if self._find_next is None:
            raise ValueError("this stepper was built without find_next")
        index = self._find_next(self.position, kinds)
        if index >= 0:
            self.goto(index + 1)
        else:
            self.status.value = f"no further <code>{', '.join(kinds)}</code> event"
        return index

    def set_speed(self, interval_ms: int) -> None:
        """Milliseconds per step while playing (the speed slider)."""
        if not isinstance(interval_ms, int) or not 30 <= interval_ms <= 2000:
            raise ValueError(f"interval_ms must be an int in 30..2000, got {interval_ms!r}")
        self.play_widget.interval = interval_ms
        if self.speed.value != interval_ms:
            self.speed.value = interval_ms

    def play(self, steps: int) -> None:
        """Advance ``steps`` events one by one, rendering each (what the play button does
        over time in the browser)."""
        if not isinstance(steps, int) or steps < 0:
            raise ValueError(f"steps must be an int >= 0, got {steps!r}")
        for _ in range(steps):
            if self.position >= self.n:
                break
            self.step()

    def reset(self, n: int) -> None:
        """A new log of ``n`` events (after a re-simulation); shows position 0."""
        if not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be an int >= 0, got {n!r}")
        self.n = n
        with self.slider.hold_trait_notifications(), self.play_widget.hold_trait_notifications():
            self.play_widget.max = max(n, 0)
            self.slider.max = max(n, 0)
        self._show(0)

    # --- internals ----------------------------------------------------------------------
    def _show(self, k: int) -> None:
        self.position = k
        if self.slider.value != k:
            self.slider.value = k  # observe -> goto(k) -> no-op, position already k
        if self.play_widget.value != k:
            self.play_widget.value = k
        self.status.value = f"step {k} of {self.n}"
        self._render(k)

    def widget(self) -> widgets.Box:
        """The transport bar."""
        if not hasattr(self, "_widget"):
            row1 = widgets.HBox([self.play_widget, self.back_button, self.step_button,
                                 self.slider, self.status])
            row2 = widgets.HBox([self.kind_picker, self.next_button, self.speed])
            self._widget = widgets.VBox([row1, row2])
        return self._widget
