"""The business of after-sales service: tables, rules, services, settings and the DB session.

Service modules follow one rule about transactions. A *service* (create, update, register,
open, transition, cancel, ...) is one transaction and commits once, at its end. A *step*
(add, consume, restore, apply_transition, ...) joins the caller's transaction and never
commits; its docstring starts with "Step:". Services compose steps, never other services.
"""
