"""Solve jobs: a plan or re-plan of one region and day, run in the background, state in tables."""
