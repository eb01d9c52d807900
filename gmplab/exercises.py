"""Predict-then-check exercises.

A reader writes a prediction into a variable and calls ``exercise.check(prediction)``.
The answer is *computed* by running the model when the checker is called — never stored —
and the verdict explains why, so a wrong prediction teaches something too.

Example
-------
>>> ex = Exercise("two plus two", lambda: (4, "2 + 2 is 4"))
>>> print(ex.check(5))
not quite — you said 5, the model says 4: 2 + 2 is 4
>>> print(ex.check(4))
right — 4: 2 + 2 is 4
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Exercise:
    """A question whose answer ``solve()`` computes as ``(answer, why)``."""

    question: str
    solve: Callable[[], tuple[Any, str]]
    tolerance: float = 0.0

    def answer(self) -> Any:
        return self.solve()[0]

    def is_right(self, prediction: Any) -> bool:
        answer = self.answer()
        if self.tolerance and isinstance(answer, (int, float)) and isinstance(prediction, (int, float)):
            return abs(prediction - answer) <= self.tolerance * max(abs(answer), 1e-12)
        if isinstance(answer, (list, tuple)):
            return list(prediction) == list(answer) if isinstance(prediction, (list, tuple)) else False
        return prediction == answer

    def check(self, prediction: Any) -> str:
        if prediction is None or prediction is Ellipsis:
            return f"make a prediction first: {self.question}"
        answer, why = self.solve()
        if self.is_right(prediction):
            return f"right — {answer}: {why}"
        return f"not quite — you said {prediction}, the model says {answer}: {why}"
