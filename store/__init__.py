"""Loopboard's persistence: SQLAlchemy 2 models, engine set-up, Alembic migrations and repository functions.

What lives here:
- `models.py`   typed tables (workspace, source_file, saved_mapping, kpi_selection, custom_kpi, funnel_target);
- `engine.py`   `database_url()`, `make_engine()`, `session_factory()`, `upgrade()` (Alembic to head at start-up),
                `unit_of_work()` (one transaction per user action) and `read_session()`;
- `repo.py`     the only code that queries tables: takes a Session, never commits, always filters by workspace;
- `errors.py`   domain errors (ConcurrentEditError, DuplicateError, NotFoundError, ...) pages can show;
- `migrations/` Alembic environment and revisions (`alembic.ini` at the repo root points here).

Imports: sqlalchemy, alembic, the standard library, and `metrics` for types only (IngestOptions). Never streamlit:
the Streamlit side (caching the engine, secrets via st.secrets) lives in `ui/`.
"""
