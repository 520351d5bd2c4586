"""Alembic environment of reporting: the URL comes from ``services.reporting.db.alembic_config``."""

from services.reporting.models import Base
from services.runtime.sql import run_alembic_env

run_alembic_env(Base.metadata)
