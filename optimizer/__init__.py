"""Pure routing: problem and plan types, the solve, slot insertion and the independent validator.

This is the optimizer's public API, re-exported explicitly (PyVRP's style).

Import from here (`from optimizer import Problem, solve`); the inner modules are private to this
package, and an import-linter contract (pyproject.toml) keeps dispatch, api and benchmarks out.
The optimizer imports nothing from dispatch or api, touches no database and no network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .backends import AUTO as AUTO
from .backends import ENGINES as ENGINES
from .backends import ORTOOLS as ORTOOLS
from .backends import PYVRP as PYVRP
from .backends import VROOM as VROOM
from .backends import VROOM_ORTOOLS as VROOM_ORTOOLS
from .backends import rank as rank
from .check_soft import SoftCosts as SoftCosts
from .check_soft import soft_costs as soft_costs
from .check_soft import work_by_technician as work_by_technician
from .checker import PlanCost as PlanCost
from .checker import Violation as Violation
from .checker import check as check
from .checker import is_valid as is_valid
from .checker import plan_cost as plan_cost
from .errors import InvalidProblem as InvalidProblem
from .fieldservice import CENTRES as CENTRES
from .fieldservice import SERVICE_CENTRES as SERVICE_CENTRES
from .fieldservice import SLOTS as SLOTS
from .fieldservice import generate_day as generate_day
from .fieldservice import generate_week as generate_week
from .format_plan import PLAN_FORMAT as PLAN_FORMAT
from .formats import PROBLEM_FORMAT as PROBLEM_FORMAT
from .formats import plan_from_dict as plan_from_dict
from .formats import plan_from_json as plan_from_json
from .formats import plan_to_dict as plan_to_dict
from .formats import problem_from_dict as problem_from_dict
from .formats import problem_from_json as problem_from_json
from .formats import problem_to_dict as problem_to_dict
from .formats import read_plan as read_plan
from .formats import read_problem as read_problem
from .formats import write_json as write_json
from .insertion import CrewInsertion as CrewInsertion
from .insertion import CrewMember as CrewMember
from .insertion import DayRoutes as DayRoutes
from .insertion import Insertion as Insertion
from .insertion import Item as Item
from .insertion import Legs as Legs
from .insertion import Placement as Placement
from .insertion import Sequences as Sequences
from .insertion import place as place
from .insertion import technician_of as technician_of
from .insertion import without as without
from .plan import BreakTime as BreakTime
from .plan import Plan as Plan
from .plan import PlanStatus as PlanStatus
from .plan import Progress as Progress
from .plan import Reason as Reason
from .plan import Route as Route
from .plan import SolverInfo as SolverInfo
from .plan import Stop as Stop
from .plan import Totals as Totals
from .plan import Unassigned as Unassigned
from .problem import DAY_S as DAY_S
from .problem import MAX_TIME_S as MAX_TIME_S
from .problem import PRIORITY_WEIGHT as PRIORITY_WEIGHT
from .problem import Break as Break
from .problem import GreatCircle as GreatCircle
from .problem import Location as Location
from .problem import Matrix as Matrix
from .problem import Problem as Problem
from .problem import Shift as Shift
from .problem import Technician as Technician
from .problem import TimeWindow as TimeWindow
from .problem import Travel as Travel
from .problem import Visit as Visit
from .sequence_plan import sequences_to_plan as sequences_to_plan
from .solomon import dimacs_distance as dimacs_distance
from .solomon import parse_solomon as parse_solomon
from .solomon import read_bks as read_bks
from .solomon import read_solomon as read_solomon
from .solver import SolveParams as SolveParams
from .solver import solve as solve
from .travel import TravelTable as TravelTable
from .travel import build_table as build_table

if TYPE_CHECKING:
    from .backend_pyvrp import pyvrp_model as pyvrp_model
    from .backend_pyvrp import read_sequences
    from .backend_vroom import vroom_sequences as vroom_sequences
    from .pyvrp_rules import expresses

    pyvrp_expresses = expresses
    pyvrp_read_sequences = read_sequences

# The peers' own models, for benchmarks that run PyVRP and VROOM as a user would. Loaded on first
# use (PEP 562): pyvrp and vroom take half a second to import (see backends.py).
_PEERS = {
    "pyvrp_expresses": ("pyvrp_rules", "expresses"),
    "pyvrp_model": ("backend_pyvrp", "pyvrp_model"),
    "pyvrp_read_sequences": ("backend_pyvrp", "read_sequences"),
    "vroom_sequences": ("backend_vroom", "vroom_sequences"),
}


def __getattr__(name: str) -> Any:
    """The peers' model functions, imported when first asked for."""
    if name not in _PEERS:
        raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
    from importlib import import_module

    module, attribute = _PEERS[name]
    return getattr(import_module(f".{module}", __name__), attribute)
