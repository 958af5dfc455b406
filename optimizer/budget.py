"""How a solve's time limit is split into phases: the one place that cuts time into shares.

solve() may run VROOM for a first plan, then OR-Tools from it; PyVRP first tries to serve every
visit, then makes them optional; OR-Tools finalises each solution within an LNS time limit.
"""

from __future__ import annotations

# In deterministic mode the work limit ends the search; this time limit is only a safety net.
DETERMINISTIC_TIME_LIMIT_S = 3600.0
# VROOM's share of the time limit when it gives OR-Tools its first plan. Measured on the
# generated Jakarta days (README, Benchmarks): VROOM's plan decides how many visits are served,
# and OR-Tools mostly trades travel against overtime; 70% of the time served the most.
VROOM_SHARE = 0.7
# Making room for the visits the first plan leaves out (make_room.py) may go on until this share
# of the time limit: the time VROOM's runs left of theirs, and a tenth more. On 100x500 it took
# 10-12 s to serve 494 -> 496 and 490 -> 495 visits (load 8, 2026-12-03).
ROOM_END_SHARE = 0.8
# The seconds after the OR-Tools search: its plan read back with times and reasons, then the
# fill of what it leaves out (100x500: 0.1-0.3 s together on a loaded machine), kept out of its
# search time so that a solve ends within its time limit.
READ_BACK_S = 0.4
# ... and this much more per visit: at 200x1000 the read back and fill took 0.3 s and OR-Tools
# overran its limit by 1.4 s finishing its last solution (load 6, 2026-12-03).
READ_BACK_PER_VISIT_S = 0.001
# Building the OR-Tools model (with the warm start) took 0.15-0.65 s for 100x500 at load 4-8, and
# 1.2-1.7 s at load 12 (2026-12-03).
BUILD_PER_VISIT_S = 0.0012
# Days with at least this many visits are planned by VROOM in clusters (decomposed.py). Measured
# at 60 s on one core (README, "What was tried"): on 100x500 VROOM on the whole day, stopped by
# its timeout, served more (490 against 486); on 200x1000 the clusters did (987 against 974).
DECOMPOSE_MIN_VISITS = 750
# VROOM is not started with less than this left of its share: starting a child takes about
# 0.3 s, and no day worth a portfolio is planned by VROOM in less.
MIN_VROOM_S = 0.5
# A day of at most this many visits is small: VROOM's cheap run (exploration 0) plans it in
# this process in a few hundredths of a second (20x100: 0.04 s idle, 2026-12-03), so VROOM is
# worth starting with only MIN_VROOM_SMALL_S left.
SMALL_DAY_VISITS = 150
MIN_VROOM_SMALL_S = 0.1
# OR-Tools gets at least this share of the time limit, even when VROOM or PyVRP used it all.
MIN_SHARE = 0.1
# The share of the time PyVRP gets to serve every visit before visits become optional.
REQUIRED_PROBE = 0.2
# The time OR-Tools may spend finalising one solution (lns_s): 25 ms per route with breaks,
# within 0.1 s (OR-Tools' default, kept below) and 5 s. A solution not finalised in time ends
# the search with no plan (ROUTING_FAIL): at 200x1000 finalising the first solution took 0.3-0.5
# s on a machine at load 3, and the 1 s cap of before failed at load 4-11 (OR-Tools gave up after
# 5.7 s of a 170 s search). A finalisation that is done sooner costs no more under a higher cap:
# 40 s from the same 999-visit plan gave the same solutions at 1 and 3 s (2026-12-03).
LNS_S_PER_BREAK_ROUTE = 0.025
LNS_TIME_LIMIT_MIN_S = 0.1
LNS_TIME_LIMIT_MAX_S = 5.0
# When a search from a first plan still fails that way, it runs once more with this many times
# the time to finalise a solution.
LNS_RETRY_FACTOR = 10.0


def small_day(visits: int) -> bool:
    """True when VROOM's first run on a day this big runs in the solver's own process."""
    return visits <= SMALL_DAY_VISITS


def min_vroom_s(visits: int) -> float:
    """The least time worth starting a VROOM run on a day with this many visits."""
    return MIN_VROOM_SMALL_S if small_day(visits) else MIN_VROOM_S


def build_s(visits: int) -> float:
    """About how long building the OR-Tools model of a day with this many visits takes."""
    return BUILD_PER_VISIT_S * visits


def read_back_s(visits: int) -> float:
    """The seconds kept after the OR-Tools search of a day with this many visits."""
    return READ_BACK_S + READ_BACK_PER_VISIT_S * visits


def vroom_s(time_limit_s: float) -> float:
    """VROOM's time for the first plan it hands to OR-Tools."""
    return time_limit_s * VROOM_SHARE


def room_end_s(time_limit_s: float) -> float:
    """When making room for left-out visits must end, counted from the solve's start."""
    return time_limit_s * ROOM_END_SHARE


def ortools_s(time_limit_s: float, elapsed_s: float, deterministic: bool) -> float:
    """OR-Tools' time: what is left of the limit, at least MIN_SHARE of it (deterministic mode
    stops on its work limit, with a safety net)."""
    if deterministic:
        return DETERMINISTIC_TIME_LIMIT_S
    return max(time_limit_s - elapsed_s, MIN_SHARE * time_limit_s)


def required_probe_s(time_limit_s: float) -> float:
    """How long PyVRP searches for a plan that serves every visit before giving up on that."""
    return REQUIRED_PROBE * time_limit_s


# On a horizon of days, the share of OR-Tools' time kept for the fill pass after it (inserting
# what the days leave out took about 2 s of a 70 s week, 50 technicians x 1250 visits).
HORIZON_FILL_SHARE = 0.05


def horizon_days_s(ortools_s: float) -> float:
    """The time the days of a horizon share for their OR-Tools searches."""
    return ortools_s * (1.0 - HORIZON_FILL_SHARE)


def time_left_s(time_limit_s: float, elapsed_s: float) -> float:
    """What is left of the time limit (never negative)."""
    return max(0.0, time_limit_s - elapsed_s)


def lns_s(routes_with_breaks: int, retry: bool = False) -> float | None:
    """OR-Tools' time to finalise one solution, or None to keep its default (few breaks); on a
    retry after a failed finalisation, LNS_RETRY_FACTOR times more (at least the default's)."""
    lns = min(LNS_TIME_LIMIT_MAX_S, LNS_S_PER_BREAK_ROUTE * routes_with_breaks)
    if retry:
        return max(lns, LNS_TIME_LIMIT_MIN_S) * LNS_RETRY_FACTOR
    return None if lns <= LNS_TIME_LIMIT_MIN_S else lns
