"""Tests of dispatch/: a real database (SQLite file and PostgreSQL), never a mock."""
