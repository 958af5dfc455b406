"""Planning: build a day's problem from the database, solve it, store, publish and re-plan."""
