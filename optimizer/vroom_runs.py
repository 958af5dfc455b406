"""VROOM runs for a first plan: each in a child process that a cancel or the deadline ends at
once, several settings while the time allows (a portfolio), the best kept by our objective.

VROOM cannot be interrupted and overruns its own timeout (issue 14: 2.7 s against a 1.4 s
share on 100x500), so it runs in a child process: the parent waits for its routes, asking
should_stop every POLL_S, and kills the child at the deadline. The child comes from a fork
server (a clean, single-threaded process started once, with this module preloaded), not from a
fork of the caller: the API and the test runner have threads, and a child forked while another
thread held a lock hung until its deadline (seen in the suite: no VROOM plan in 20 s on a
20-visit day). Where no fork server can start a child (no forkserver on the platform, or a
daemonic process such as a Celery prefork worker), VROOM runs in this process with its own
timeout, as before. So does a run expected to be short (runs_here): it ends by itself within
about a second, as a cancel must, and spares the fork server's start (a new interpreter
importing the optimizer: 0.4 s idle), which is most of the time VROOM needs for a small day.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from . import backend_vroom, budget
from .backend_vroom import LINEAR, WEIGHTS, Sequences
from .problem import Problem

POLL_S = 0.05  # how often the parent looks for the routes, a cancel and the deadline
# VROOM's own timeout is this share of the time left: it overruns it by building its input and
# finishing the heuristics it has started; the rest is the margin before the kill. A run is
# started only when its expected time fits this share of the time left.
TIMEOUT_SHARE = 0.8
# What VROOM's search takes at each exploration level, in searches at level 0 of the same day
# (measured 2026-12-03, one thread, load 7: 100x500 10, 31, 83, 144 and 360 s at levels 0, 1,
# 2, 3 and 5; 20x100 0.06, 0.17, 0.34, 0.44, 0.81 and 1.5 s at 0-5).
LEVEL_COST = {0: 1.0, 1: 3.0, 2: 8.0, 3: 14.0, 4: 22.0, 5: 36.0}
# A run expected to take no longer than this runs in this process (runs_here).
HERE_S = 1.0


@dataclass(frozen=True, slots=True)
class VroomRun:
    """One setting of VROOM: priority scale, exploration level, job order."""

    scale: str
    exploration: int
    shuffle_seed: int | None = None

    @property
    def name(self) -> str:
        """As the plan's solver details say it: `vroom weights x5`, `vroom linear x3 shuffled`."""
        shuffled = "" if self.shuffle_seed is None else " shuffled"
        return f"vroom {self.scale} x{self.exploration}{shuffled}"


# First a cheap run: it takes a fortieth of a run at level 5 (100x500: 10 s against 360 s), so a
# VROOM plan exists however soon the share ends, and its time says which runs can finish.
CHEAP = VroomRun(WEIGHTS, 0)
# Then in order, each when it is expected to finish: the two scales at VROOM's best level (each
# wins on some days), then cheaper runs in another job order, for variety while time remains or
# instead of the level-5 runs on a day too big for them (make_room.py then finds what they miss).
PORTFOLIO = (
    VroomRun(WEIGHTS, 5),
    VroomRun(LINEAR, 5),
    VroomRun(WEIGHTS, 4, shuffle_seed=1),
    VroomRun(LINEAR, 4, shuffle_seed=2),
    VroomRun(WEIGHTS, 3),
    VroomRun(WEIGHTS, 3, shuffle_seed=3),
    VroomRun(LINEAR, 3, shuffle_seed=4),
    VroomRun(WEIGHTS, 2),
    VroomRun(WEIGHTS, 1),
)


@dataclass(frozen=True, slots=True)
class RunResult:
    """What one run gave: its routes (None when killed or failed) and its wall time."""

    run: VroomRun
    sequences: Sequences | None
    seconds: float


def portfolio(
    problem: Problem,
    deadline_s: float,
    threads: int,
    should_stop: Callable[[], bool],
) -> list[RunResult]:
    """Run CHEAP, then each run of PORTFOLIO expected to finish by the deadline (a perf_counter
    time), until should_stop says to stop or a run is cut off; every run's result, in order."""
    results: list[RunResult] = []
    cheap_s: float | None = None  # VROOM's own search time at level 0
    for run in (CHEAP, *PORTFOLIO):
        left_s = deadline_s - time.perf_counter()
        if left_s < budget.min_vroom_s(len(problem.visits)) or should_stop():
            break
        if cheap_s is not None and LEVEL_COST[run.exploration] * cheap_s > TIMEOUT_SHARE * left_s:
            continue  # would be cut off: a cheaper run further on may fit
        expected_s = None if cheap_s is None else LEVEL_COST[run.exploration] * cheap_s
        here = runs_here(problem, expected_s)
        started_s = time.perf_counter()
        sequences, search_s = timed_run(problem, run, threads, deadline_s, should_stop, here)
        results.append(RunResult(run, sequences, time.perf_counter() - started_s))
        if sequences is None:  # killed at the deadline or on a cancel: no time for another
            break
        cheap_s = search_s if cheap_s is None else cheap_s
    return results


def runs_here(problem: Problem, expected_s: float | None) -> bool:
    """True when a run should run in this process: expected within HERE_S, or, before the
    cheap run has timed the day, when the day is small (budget.small_day)."""
    if expected_s is None:
        return budget.small_day(len(problem.visits))
    return expected_s <= HERE_S


def needs_children(problem: Problem, share_s: float) -> bool:
    """True when a portfolio of share_s seconds may run VROOM in a child process: on a day that
    is not small, or when the share could hold a run longer than HERE_S after the cheap one."""
    if share_s < budget.min_vroom_s(len(problem.visits)):
        return False
    return not budget.small_day(len(problem.visits)) or share_s > 2 * HERE_S


def run_vroom(
    problem: Problem,
    run: VroomRun,
    threads: int,
    deadline_s: float,
    should_stop: Callable[[], bool],
) -> Sequences | None:
    """VROOM's routes by this run's settings, or None when the deadline or a cancel came first."""
    return timed_run(problem, run, threads, deadline_s, should_stop)[0]


def timed_run(
    problem: Problem,
    run: VroomRun,
    threads: int,
    deadline_s: float,
    should_stop: Callable[[], bool],
    here: bool = False,
) -> tuple[Sequences | None, float]:
    """run_vroom's routes, and the seconds VROOM's search took (in the child: without the
    fork and the routes' way back); in this process when `here` says so (runs_here)."""
    timeout_s = max(0.0, TIMEOUT_SHARE * (deadline_s - time.perf_counter()))
    context = None if here else _fork_context()
    if context is None:  # a run here is cut at HERE_S: a cancel waits no longer than that
        return _timed(problem, run, threads, min(timeout_s, HERE_S) if here else timeout_s)
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(problem, run, threads, timeout_s, sender), daemon=True
    )
    starter = threading.Thread(target=child.start, daemon=True)
    starter.start()
    if not _started(starter, deadline_s, should_stop):
        ender = threading.Thread(target=_end_when_started, args=(starter, child, receiver, sender))
        ender.start()
        return None, 0.0
    sender.close()
    if child.pid is None:  # the fork server could not start it
        receiver.close()
        return None, 0.0
    try:
        while not receiver.poll(POLL_S):
            if should_stop() or time.perf_counter() >= deadline_s or not child.is_alive():
                return None, 0.0
        result: tuple[Sequences | None, float] = receiver.recv()
        return result
    except EOFError:  # the child died without an answer
        return None, 0.0
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()


def _started(starter: threading.Thread, deadline_s: float, should_stop: Callable[[], bool]) -> bool:
    """Wait for the child's start no later than the deadline or a stop; False when it had not
    started by then. The first child waits for the fork server to import VROOM, which took
    2-3 s on a loaded machine (20x100 at load 6, 2026-12-03): waiting for it unbounded, the
    VROOM phase overran its share by that much."""
    while starter.is_alive():
        starter.join(POLL_S)
        if starter.is_alive() and (should_stop() or time.perf_counter() >= deadline_s):
            return False
    return True


def _end_when_started(
    starter: threading.Thread, child: Any, receiver: Connection, sender: Connection
) -> None:
    """Kill a child given up on before it started, once it has: it must not run VROOM on."""
    starter.join()
    if child.pid is not None:
        child.kill()
        child.join()
    receiver.close()
    sender.close()


def start_server() -> None:
    """Start the fork server now, when there is one: it imports the optimizer (0.4 s, seconds
    on a loaded machine) on another core while this process builds its own first plan, instead
    of within VROOM's share of the time."""
    if _fork_context() is not None:
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _fork_context() -> Any:
    """multiprocessing's forkserver context, or None where this process cannot have a child."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    if multiprocessing.current_process().daemon:  # daemonic processes may not have children
        return None
    context = multiprocessing.get_context("forkserver")
    # Loaded once in the server, so that each child starts with the optimizer imported (VROOM
    # itself, imported without pandas, takes 0.02 s in the child: backend_vroom._vroom).
    context.set_forkserver_preload([__name__])
    return context


def _child(
    problem: Problem, run: VroomRun, threads: int, timeout_s: float, sender: Connection
) -> None:
    """In the child: solve and send the routes (None when VROOM failed) and the search's time."""
    try:
        sender.send(_timed(problem, run, threads, timeout_s))
    except Exception:  # the parent sees None: no plan from this run, the others go on
        sender.send((None, 0.0))
    finally:
        sender.close()


def _timed(
    problem: Problem, run: VroomRun, threads: int, timeout_s: float
) -> tuple[Sequences, float]:
    started_s = time.perf_counter()
    sequences = backend_vroom.vroom_sequences(  # looked up at call time: tests replace it
        problem,
        exploration_level=run.exploration,
        threads=threads,
        timeout_s=timeout_s,
        scale=run.scale,
        shuffle_seed=run.shuffle_seed,
    )
    return sequences, time.perf_counter() - started_s
