"""Command groups of the `purna` CLI; each module has register(app)."""
