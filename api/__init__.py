"""The edge of Purna: the HTTP API, the web pages and the `purna` command line; no business rule."""
