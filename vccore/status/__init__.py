"""Bitstring Status List v1.0: the bitstring, the issuer's entries and lists, the verifier's check."""
