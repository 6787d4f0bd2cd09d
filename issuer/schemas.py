"""The credential kinds' JSON Schemas live in :mod:`vccore.kinds.schemas` (the verifier validates with them
too); this module keeps the issuer's import path."""

from vccore.kinds.schemas import SCHEMA_FILES, lookup, schema_for, validate, validate_against

__all__ = ["SCHEMA_FILES", "lookup", "schema_for", "validate", "validate_against"]
