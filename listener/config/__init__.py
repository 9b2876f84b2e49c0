"""Configuration: pydantic models (``models``), field types (``types``), loading (``loader``)."""
