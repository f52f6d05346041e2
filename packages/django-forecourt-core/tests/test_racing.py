"""forecourt_core.racing: calls raced from threads released together."""
import threading

import pytest

from forecourt_core.racing import at_once, each_at_once


def test_each_call_runs_in_its_own_thread_and_all_are_in_flight_together():
    """Every call waits until all have started; the results come back in the order of the calls."""
    started = threading.Barrier(3, timeout=5)  # breaks (raises) unless the three calls overlap
    threads = []

    def call(n):
        def send():
            threads.append(threading.get_ident())
            started.wait()
            return n
        return send

    assert each_at_once(call("a"), call("b"), call("c")) == ["a", "b", "c"]
    assert len(set(threads)) == 3


def test_at_once_races_one_call_against_itself():
    seen = []
    lock = threading.Lock()

    def send():
        with lock:
            seen.append(len(seen))
            return seen[-1]

    assert sorted(at_once(send, times=4)) == [0, 1, 2, 3]


def test_a_failing_call_raises_after_the_others_finish():
    finished = []

    def fails():
        raise ValueError("refused")

    def slow():
        finished.append(True)
        return "done"

    with pytest.raises(ValueError, match="refused"):
        each_at_once(fails, slow)
    assert finished == [True]
