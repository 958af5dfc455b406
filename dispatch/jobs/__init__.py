"""Solve jobs: a plan or re-plan of one region and day, run in the background, state in tables.

Only solve jobs are jobs here; the scheduler's timed work is tasks (dispatch/scheduler.py).
"""
