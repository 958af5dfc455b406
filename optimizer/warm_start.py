"""A plan found elsewhere (VROOM's) as the OR-Tools search's first solution.

Routes map to vehicles by technician and day; each stop of a crew visit takes the node of
another crew member.
"""

from __future__ import annotations

from .model import RoutingContext
from .plan import Plan


def start_routes(ctx: RoutingContext, plan: Plan) -> list[list[int]]:
    """Per vehicle, the solver indices of the plan's stops in order. Each stop takes the node of
    its visit whose window holds the planned start and whose technicians include the route's
    (a stop without such a node is left out: the search may insert it again)."""
    vehicle = {(t.id, t.shifts[0].day): k for k, t in enumerate(ctx.vehicles)}
    visit = {v.id: i for i, v in enumerate(ctx.problem.visits)}
    nodes_of: dict[int, list[int]] = {}
    for node, vn in enumerate(ctx.nodes):
        nodes_of.setdefault(vn.visit, []).append(node)
    routes: list[list[int]] = [[] for _ in ctx.vehicles]
    used: set[int] = set()  # a crew visit's member nodes, taken one per crew member
    for route in plan.routes:
        k = vehicle[(route.technician, route.day)]
        for stop in route.stops:
            fits = [
                node
                for node in nodes_of[visit[stop.visit]]
                if k in ctx.nodes[node].vehicles
                and node not in used
                and ctx.nodes[node].window[0] <= stop.start_s <= ctx.nodes[node].window[1]
            ]
            if fits:
                used.add(fits[0])
                routes[k].append(ctx.manager.NodeToIndex(fits[0]))
    return routes
