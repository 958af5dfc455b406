"""The benchmarks behind `purna bench`: they print tables of figures checked by the validator.

routing: Solomon VRPTW and generated Jakarta days; peers and peer_tables: PyVRP and VROOM on the
same problems; api_bench and api_world: the HTTP API under load. Below api (which holds the thin
typer commands), above dispatch and optimizer.
"""
