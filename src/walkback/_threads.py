"""How many threads one walkback process may use for its own parallel loops.

``WALKBACK_THREADS`` (or the older ``WALKBACK_IO_THREADS``) when set, else min(2, CPUs). The batch
runner sets it to 1 in its worker processes, where parallelism comes from running several
participants at once. Used by the .cwa decoder, the resampling kernel, the decode-ahead thread and
:func:`alongside` (independent pipeline steps overlapped on two cores).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["Pending", "alongside", "worker_threads"]

T = TypeVar("T")


def worker_threads() -> int:
    """Threads for walkback's own parallel loops (>= 1)."""
    for var in ("WALKBACK_THREADS", "WALKBACK_IO_THREADS"):
        try:
            return max(1, int(os.environ.get(var, "")))
        except ValueError:
            continue
    return max(1, min(2, os.cpu_count() or 1))


class Pending(Generic[T]):
    """A call started by :func:`alongside`; :meth:`result` waits for it (or, when it was not
    started in a thread, runs it then) and returns its value or raises its exception, the same
    on every call. :meth:`abandon` is for the caller's error path: it waits for a started call
    and drops its outcome, so no work goes on after the caller has failed."""

    def __init__(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any],
                 threaded: bool) -> None:
        self._call: tuple[Callable[..., T], tuple[Any, ...], dict[str, Any]] | None = (fn, args, kwargs)
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if threaded:
            name = getattr(fn, "__name__", type(fn).__name__)
            self._thread = threading.Thread(target=self._run, name=f"walkback-{name}", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        assert self._call is not None
        fn, args, kwargs = self._call
        self._call = None  # the arguments go with the call (memory)
        try:
            self._value = fn(*args, **kwargs)
        except BaseException as exc:  # re-raised in the caller by result()
            self._error = exc

    def result(self) -> T:
        if self._thread is not None:
            self._thread.join()
        elif self._call is not None:
            self._run()
        if self._error is not None:
            raise self._error
        return self._value

    def abandon(self) -> None:
        """Wait for a started call, then drop its value or error; a call not started never runs."""
        if self._thread is not None:
            self._thread.join()
        self._call = self._value = self._error = None


def alongside(fn: Callable[..., T], *args: Any, **kwargs: Any) -> Pending[T]:
    """Start ``fn(*args, **kwargs)`` in a second thread while the caller goes on with other work,
    when :func:`worker_threads` allows two; otherwise the call runs only when its
    :meth:`Pending.result` is asked for, i.e. in the order of a sequential program (same result,
    same memory as before). Meant for steps that only read shared arrays and spend their time in
    code that releases the GIL (numba ``nogil`` kernels, NumPy); the caller must not modify what
    ``fn`` reads until ``result()`` returned, and calls :meth:`Pending.abandon` if it fails
    before asking for the result."""
    return Pending(fn, args, kwargs, threaded=worker_threads() >= 2)
