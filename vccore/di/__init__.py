"""Data Integrity: cryptosuites, proof purposes, adding and verifying proofs."""
