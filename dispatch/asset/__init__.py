"""Assets: sold units, owned by a customer, with the entitlements they are owed."""
