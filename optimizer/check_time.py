"""Validator rules about time: windows, service, travel between stops, shifts, overtime, breaks."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import permutations

from .check_context import CheckContext, Violation, clock, overlap_s, windows_text
from .plan import BreakTime
from .problem import Break

# Breaks taken are paired with the technician's breaks by trying every pairing; beyond this many
# (a day has one to three breaks) they are paired in time order instead.
_MAX_PAIRING = 6


def windows(ctx: CheckContext) -> Iterator[Violation]:
    """Service starts inside one of the visit's windows."""
    for r, s, v in ctx.stops():
        if not any(w.contains(s.start_s) for w in v.windows):
            msg = (
                f"visit {v.id} starts at {clock(s.start_s)}, "
                f"outside its windows {windows_text(v.windows)}."
            )
            yield Violation("window_missed", msg, technician=r.technician, visit=v.id)


def service_times(ctx: CheckContext) -> Iterator[Violation]:
    """Arrival comes no later than the start, and service lasts exactly the visit's duration."""
    for r, s, v in ctx.stops():
        if s.arrival_s > s.start_s:
            msg = f"visit {v.id}: arrival {clock(s.arrival_s)} after start {clock(s.start_s)}."
            yield Violation("arrival_after_start", msg, technician=r.technician, visit=v.id)
        if s.end_s != s.start_s + v.duration_s:
            msg = f"visit {v.id}: service lasts {s.end_s - s.start_s} s, not {v.duration_s} s."
            yield Violation("service_duration_mismatch", msg, technician=r.technician, visit=v.id)


def travel_times(ctx: CheckContext) -> Iterator[Violation]:
    """Each gap between services covers the travel plus the breaks in it; arrivals follow travel."""
    for r in ctx.plan.routes:
        for leg in ctx.legs(r) or ():
            vid = leg.stop.visit if leg.stop is not None else None
            where = f"to visit {vid}" if vid is not None else "back to the end location"
            gap_s = leg.gap_end_s - leg.gap_start_s
            break_s = sum(
                overlap_s(b.start_s, b.end_s, leg.gap_start_s, leg.gap_end_s) for b in r.breaks
            )
            if gap_s < leg.travel_s + break_s:
                msg = (
                    f"technician {r.technician} has {gap_s} s to go {where} "
                    f"but needs {leg.travel_s} s of travel and {break_s} s of breaks."
                )
                yield Violation("travel_time_short", msg, technician=r.technician, visit=vid)
            if leg.stop is not None and leg.stop.arrival_s < leg.gap_start_s + leg.travel_s:
                msg = (
                    f"visit {vid}: arrival {clock(leg.stop.arrival_s)} is before "
                    f"{clock(leg.gap_start_s + leg.travel_s)}, the earliest after travel."
                )
                yield Violation("arrival_too_early", msg, technician=r.technician, visit=vid)


def shift(ctx: CheckContext) -> Iterator[Violation]:
    """The route starts no earlier than the shift and ends by shift end plus allowed overtime."""
    for r, tech in ctx.routed():
        if r.start_s < tech.shift.start_s:
            msg = f"route starts {clock(r.start_s)}, before shift {clock(tech.shift.start_s)}."
            yield Violation("route_starts_before_shift", msg, technician=tech.id)
        if r.end_s > tech.latest_end_s:
            msg = (
                f"route ends {clock(r.end_s)}, after shift end plus overtime "
                f"{clock(tech.latest_end_s)}."
            )
            yield Violation("route_ends_after_shift", msg, technician=tech.id)


def overtime(ctx: CheckContext) -> Iterator[Violation]:
    """The route's overtime_s is how far its end passes the shift end."""
    for r, tech in ctx.routed():
        expected_s = max(0, r.end_s - tech.shift.end_s)
        if r.overtime_s != expected_s:
            msg = f"route of {tech.id} states {r.overtime_s} s overtime, not {expected_s} s."
            yield Violation("overtime_mismatch", msg, technician=tech.id)


def breaks_taken(ctx: CheckContext) -> Iterator[Violation]:
    """On a route with stops each break is taken exactly once, long enough, inside its windows."""
    for r, tech in ctx.routed():
        if not r.stops:
            continue
        taken = sorted(r.breaks, key=lambda b: (b.start_s, b.end_s))
        pairs = _pair_breaks(tech.breaks, taken)
        for i, j in pairs:
            for code, msg in _break_faults(tech.breaks[i], taken[j]):
                yield Violation(code, f"technician {tech.id}: {msg}", technician=tech.id)
        paired_rules = {i for i, _ in pairs}
        paired_taken = {j for _, j in pairs}
        for i, rule in enumerate(tech.breaks):
            if i not in paired_rules:
                msg = (
                    f"technician {tech.id} does not take its {rule.duration_s} s break "
                    f"due in {windows_text(rule.windows)}."
                )
                yield Violation("break_missing", msg, technician=tech.id)
        for j, b in enumerate(taken):
            if j not in paired_taken:
                msg = (
                    f"technician {tech.id} takes a break {clock(b.start_s)}-{clock(b.end_s)} "
                    f"beyond its {len(tech.breaks)} break(s)."
                )
                yield Violation("break_extra", msg, technician=tech.id)


def break_placement(ctx: CheckContext) -> Iterator[Violation]:
    """Breaks lie within shift plus overtime and overlap no service interval and no other break."""
    for r, tech in ctx.routed():
        taken = sorted(r.breaks, key=lambda b: (b.start_s, b.end_s))
        for b in taken:
            span = f"{clock(b.start_s)}-{clock(b.end_s)}"
            if b.start_s < tech.shift.start_s or b.end_s > tech.latest_end_s:
                msg = (
                    f"technician {tech.id}: break {span} lies outside "
                    f"{clock(tech.shift.start_s)}-{clock(tech.latest_end_s)}."
                )
                yield Violation("break_outside_shift", msg, technician=tech.id)
            for s in r.stops:
                if overlap_s(b.start_s, b.end_s, s.start_s, s.end_s) > 0:
                    msg = f"technician {tech.id}: break {span} overlaps the service of {s.visit}."
                    yield Violation("break_overlaps_visit", msg, technician=tech.id, visit=s.visit)
        for a, b in zip(taken, taken[1:], strict=False):
            if overlap_s(a.start_s, a.end_s, b.start_s, b.end_s) > 0:
                msg = (
                    f"technician {tech.id}: break {clock(a.start_s)}-{clock(a.end_s)} overlaps "
                    f"break {clock(b.start_s)}-{clock(b.end_s)}."
                )
                yield Violation("break_overlaps_break", msg, technician=tech.id)


def _break_faults(rule: Break, taken: BreakTime) -> list[tuple[str, str]]:
    faults: list[tuple[str, str]] = []
    length_s = taken.end_s - taken.start_s
    if length_s < rule.duration_s:
        msg = f"break at {clock(taken.start_s)} lasts {length_s} s, not {rule.duration_s} s."
        faults.append(("break_too_short", msg))
    if not any(w.contains(taken.start_s) for w in rule.windows):
        msg = (
            f"break starts {clock(taken.start_s)}, outside its windows "
            f"{windows_text(rule.windows)}."
        )
        faults.append(("break_window_missed", msg))
    return faults


def _pair_breaks(rules: tuple[Break, ...], taken: list[BreakTime]) -> list[tuple[int, int]]:
    """Pairs (rule index, taken index) covering the smaller side and leaving the fewest faults."""
    n, m = len(rules), len(taken)
    if max(n, m) > _MAX_PAIRING:
        return list(zip(range(n), range(m), strict=False))
    if n <= m:
        options = [list(zip(range(n), p, strict=True)) for p in permutations(range(m), n)]
    else:
        options = [list(zip(p, range(m), strict=True)) for p in permutations(range(n), m)]
    return min(options, key=lambda ps: sum(len(_break_faults(rules[i], taken[j])) for i, j in ps))
