"""Purna tests; a package so that tests.factories imports the same way from every test."""
