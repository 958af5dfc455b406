"""Entitlements: the free installation, free services and free oil changes an asset is owed."""
