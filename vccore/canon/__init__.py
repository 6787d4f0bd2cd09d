"""Canonical forms: RDFC-1.0 (with N-Quads) and JCS (RFC 8785)."""
