"""JSON-LD: the document loader, the context policy and cache, expansion to a dataset, canonicalization
and the one reading."""
