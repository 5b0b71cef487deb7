"""walkback._threads: the thread budget and `alongside`, the overlap of independent steps."""

from __future__ import annotations

import threading

import pytest

from walkback._threads import alongside, worker_threads


def test_alongside_runs_in_a_second_thread_with_two_threads(monkeypatch) -> None:
    monkeypatch.setenv("WALKBACK_THREADS", "2")
    main = threading.get_ident()
    started = threading.Event()

    def work(a, b=0):
        started.set()
        return a + b, threading.get_ident()

    p = alongside(work, 2, b=3)
    assert started.wait(5.0)  # it started before anyone asked for its result
    value, ident = p.result()
    assert value == 5 and ident != main


def test_alongside_is_sequential_with_one_thread(monkeypatch) -> None:
    monkeypatch.setenv("WALKBACK_THREADS", "1")
    assert worker_threads() == 1
    calls = []
    p = alongside(lambda: calls.append(threading.get_ident()) or "done")
    assert calls == []  # nothing ran yet: a sequential program's order and memory
    assert p.result() == "done" and calls == [threading.get_ident()]


@pytest.mark.parametrize("threads", ["1", "2"])
def test_alongside_reraises_in_the_caller(monkeypatch, threads) -> None:
    monkeypatch.setenv("WALKBACK_THREADS", threads)

    def fail():
        raise ValueError("bad block 7")

    p = alongside(fail)
    with pytest.raises(ValueError, match="bad block 7"):
        p.result()


@pytest.mark.parametrize("threads", ["1", "2"])
def test_result_is_the_same_on_every_call(monkeypatch, threads) -> None:
    monkeypatch.setenv("WALKBACK_THREADS", threads)
    calls = []
    p = alongside(lambda: calls.append(1) or [1, 2])
    assert p.result() == [1, 2] and p.result() == [1, 2] and calls == [1]

    def fail():
        raise ValueError("once")

    q = alongside(fail)
    for _ in range(2):
        with pytest.raises(ValueError, match="once"):
            q.result()


def test_abandon_waits_for_a_started_call_and_never_starts_a_lazy_one(monkeypatch) -> None:
    import functools
    import time

    monkeypatch.setenv("WALKBACK_THREADS", "2")
    done = []
    p = alongside(functools.partial(lambda s: time.sleep(s) or done.append(1), 0.2))  # no __name__
    p.abandon()
    assert done == [1]  # waited: nothing still runs after the caller's failure
    monkeypatch.setenv("WALKBACK_THREADS", "1")
    lazy = alongside(lambda: done.append(2))
    lazy.abandon()
    assert done == [1]
