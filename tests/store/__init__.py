"""Store tests, parametrised over SQLite and the local PostgreSQL (required in CI)."""
