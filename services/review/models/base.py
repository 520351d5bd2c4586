"""The one declarative base of the case store's models: every table in its one ``metadata``."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.runtime.sql import type_annotation_map as sql_types


class Base(DeclarativeBase):
    type_annotation_map = sql_types()
