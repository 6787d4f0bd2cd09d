"""vccore: keys, DIDs, document loading, canonicalization, cryptosuites, proofs, the credential data
model, status lists, trust lists, recognition rules and the QR payload codec. No web framework, no CLI
framework, no database (ARCHITECTURE.md)."""
