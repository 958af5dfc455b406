"""Who may use Purna: users with a role, and the bearer tokens that identify them."""
