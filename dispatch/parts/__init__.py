"""Spare parts: genuine parts per product model, stock per warehouse and van as a ledger, the
parts a visit needs, and their reservation from plan to completion."""
