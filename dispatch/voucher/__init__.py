"""Loyalty vouchers: offers with their rules and limits, vouchers issued, redemption."""
