"""The routing model: rules listed in one place, node layout, penalties."""

from __future__ import annotations

import pytest

from optimizer import model
from optimizer.errors import InvalidProblem

from .conftest import H, make_problem, make_technician, make_visit, window


def test_rules_each_say_hard_or_penalty() -> None:
    """Every rule in RULES is an _add_/_allow_ function whose docstring starts Hard: or Penalty:."""
    assert len(model.RULES) == len(set(model.RULES))
    for rule in model.RULES:
        assert rule.__name__.startswith(("_add_", "_allow_"))
        assert (rule.__doc__ or "").startswith(("Hard:", "Penalty:")), rule.__name__


def test_model_gives_a_visit_one_node_per_window() -> None:
    """A visit with two separate windows becomes two nodes; touching windows merge into one."""
    split = make_visit("split", windows=(window(8, 9), window(13, 14)))
    touching = make_visit("touching", windows=(window(8, 9), window(9, 10)))
    ctx = model.build_model(make_problem([make_technician()], [split, touching]))
    assert [(n.visit, n.window) for n in ctx.nodes] == [
        (0, (8 * H, 9 * H)),
        (0, (13 * H, 14 * H)),
        (1, (8 * H, 10 * H)),
    ]


def test_model_clips_windows_to_the_shifts() -> None:
    """Window parts no technician's day covers are dropped; a visit nobody can serve keeps one
    node with no vehicle."""
    tech = make_technician(shift=window(8, 12))
    early = make_visit("early", windows=(window(6, 9),))
    night = make_visit("night", windows=(window(20, 21),))
    ctx = model.build_model(make_problem([tech], [early, night]))
    assert ctx.nodes[0].window == (8 * H, 9 * H) and ctx.nodes[0].vehicles == (0,)
    assert ctx.nodes[1].vehicles == ()
    assert ctx.windows == (((8 * H, 9 * H),), ())


def test_model_shares_start_nodes_between_technicians_at_the_same_place() -> None:
    """Technicians leaving from the same place share a start node (one vehicle class)."""
    techs = [make_technician("a"), make_technician("b"), make_technician("c", home=5)]
    ctx = model.build_model(make_problem(techs, [make_visit()]))
    assert ctx.starts[0] == ctx.starts[1] == ctx.ends[0] != ctx.starts[2]


def test_model_penalty_outweighs_every_cost() -> None:
    """Leaving out a visit costs more than all shift time, overtime and preferences together."""
    tech = make_technician(shift=window(8, 17), max_overtime_s=H, overtime_cost=3)
    problem = make_problem([tech], [make_visit("a"), make_visit("b")], preference_cost=100)
    unit = model.build_model(problem).penalty_unit
    assert unit > 9 * H + 3 * H + 2 * 100


def test_model_refuses_an_objective_that_could_overflow() -> None:
    """A problem whose penalties could pass 2**60 raises InvalidProblem."""
    tech = make_technician(max_overtime_s=7 * 24 * H - 17 * H, overtime_cost=10**12)
    with pytest.raises(InvalidProblem, match="overflow"):
        model.build_model(make_problem([tech], [make_visit(priority=5)]))


def test_model_splits_a_visit_by_assignment_cost() -> None:
    """A visit preferring t2 gets a free node for t2 and one costing preference_cost for t1."""
    techs = [make_technician("t1"), make_technician("t2")]
    visit = make_visit(preferred_technician="t2")
    ctx = model.build_model(make_problem(techs, [visit], preference_cost=900))
    assert sorted((n.vehicles, n.cost) for n in ctx.nodes) == [((0,), 900), ((1,), 0)]


def test_model_keeps_one_cost_class_with_preferences() -> None:
    """Preference and stability costs leave every vehicle with the same arc costs."""
    techs = [make_technician(f"t{k}", home=k) for k in range(4)]
    visits = [
        make_visit(f"v{k}", place=5 + k, preferred_technician=f"t{k}", previous_technician="t0")
        for k in range(4)
    ]
    ctx = model.build_model(make_problem(techs, visits, stability_cost=300))
    ctx.routing.CloseModel()
    assert ctx.routing.GetCostClassesCount() <= 2  # OR-Tools keeps a zero-cost class aside
