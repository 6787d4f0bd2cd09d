"""issuer batch: issue one credential per CSV row through the issuance engine (issuer.engine), adding
only what a batch needs: reading and validating the rows, chunking, worker processes, output files and
progress."""
