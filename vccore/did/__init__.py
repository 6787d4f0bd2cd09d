"""DIDs: did:key and did:web, and resolution behind one port."""
