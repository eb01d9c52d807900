"""Goroutine stacks: how big a stack is for a given call depth, after runtime/stack.go.

A goroutine starts with a small stack and grows it on demand. Every Go function's
prologue compares the stack pointer with ``g.stackguard0`` (``stack.lo + stackGuard``);
when the frame it is about to use would cross that line it calls ``morestack`` ->
``newstack``, which allocates a stack twice as big, copies the old one over (adjusting
pointers into it) and frees the old one (``copystack``). Stacks only shrink during GC
(``shrinkstack``, to half, when less than a quarter is used), which this model leaves out.

So the size of a stack that must hold ``used`` bytes is the first power-of-two multiple
of the starting size whose usable part (size minus the guard) holds them:

    size = start;  while size - STACK_GUARD < used: size *= 2        # stack.go: newstack

The starting size is ``fixedStack`` (2 KiB on Linux) for a goroutine created with a new
stack. Since Go 1.19, with ``GODEBUG=adaptivestackstart=1`` (the default), goroutines
start at ``startingStackSize``: the average stack size scanned during the last GC,
rounded up to a power of two — 8 KiB in our recording, because the Gs reused from the
free list had grown there (``data/threads-vs-goroutines/README.md``).

The frame sizes come from the compiler: for the measuring program
(``data/threads-vs-goroutines/goroutines/main.go``) ``go build -gcflags=-S`` reports
``main.frame STEXT ... locals=0x120``: 288 bytes of frame (256 bytes of locals, spill
slots, the saved frame pointer) plus the 8-byte return address = 296 bytes per level.
The frames below the recursion (the goroutine's closure, its inner closure and the
``goexit`` return address) add 112 bytes.

Example
-------
>>> stack_size(400)            # fits in the initial 2 KiB
2048
>>> stack_size(1592)           # 2048 - 928 = 1120 usable: one doubling
4096
>>> recursion_stack(28)        # 29 frames of 296 bytes + 112 = 8696 bytes used
16384
>>> recursion_stack(28, start=8192)
16384
"""
from __future__ import annotations

FIXED_STACK = 2048      # stack.go: fixedStack = 2048 on Linux (stackMin rounded to a power of 2)
STACK_GUARD = 928       # stack.go: stackGuard = 928*stackGuardMultiplier + stackSystem (linux/amd64)
MAX_STACK = 1_000_000_000  # proc.go main: maxstacksize = 1000000000 on 64-bit (so 512 MiB is the last size)

#: Frame of one level of ``main.frame`` in the measuring program: locals=0x120 (288) + return address.
FRAME_BYTES = 296
#: Frames under the recursion: main.main.func2 (0x38 + 8), func2.1 (0x20 + 8), goexit's return address.
BASE_BYTES = 112


def _check_int(name: str, value, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ValueError(f"{name} must be an int >= {lo}, got {value!r}")
    return value


def stack_size(used: int, start: int = FIXED_STACK) -> int:
    """Bytes of stack a goroutine has once ``used`` bytes of frames are live.

    ``start`` is the size it started with (a power of two >= 2048). Raises ``ValueError``
    when the stack would pass ``MAX_STACK`` (the runtime throws "stack overflow").
    """
    used = _check_int("used", used, 0)
    start = _check_int("start", start, FIXED_STACK)
    if start & (start - 1):
        raise ValueError(f"start must be a power of two >= {FIXED_STACK}, got {start}")
    size = start
    while size - STACK_GUARD < used:   # stack.go: newstack — newsize := oldsize * 2
        size *= 2
        if size > MAX_STACK:           # stack.go: newstack — "goroutine stack exceeds ... limit"
            raise ValueError(f"used={used} bytes needs a stack above maxstacksize "
                             f"({MAX_STACK:,} bytes): the runtime throws 'stack overflow'")
    return size


def recursion_stack(depth: int, frame_bytes: int = FRAME_BYTES, base_bytes: int = BASE_BYTES,
                    start: int = FIXED_STACK) -> int:
    """Stack size of a goroutine blocked ``depth`` levels into ``frame(depth)``.

    ``frame(depth)`` runs ``depth + 1`` times (depth .. 0), each with ``frame_bytes``.
    """
    depth = _check_int("depth", depth, 0)
    frame_bytes = _check_int("frame_bytes", frame_bytes, 1)
    base_bytes = _check_int("base_bytes", base_bytes, 0)
    return stack_size(base_bytes + (depth + 1) * frame_bytes, start)


def doublings(depth: int, start: int = FIXED_STACK) -> int:
    """How many times ``newstack`` copied the stack to reach ``recursion_stack(depth)``."""
    return (recursion_stack(depth, start=start) // start).bit_length() - 1
