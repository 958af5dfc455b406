"""Web pages for dispatchers, technicians and customers: server-rendered shells whose small ES
modules call the same /v1 API as any other client (no business rule lives in the browser)."""
