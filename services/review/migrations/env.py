"""Alembic environment of review: the URL comes from the caller (``services.review.db.alembic_config``)."""

from services.review.models import Base
from services.runtime.sql import run_alembic_env

run_alembic_env(Base.metadata)
