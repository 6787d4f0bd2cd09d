"""Trust: trust lists, trust packs and the one trust decision."""
