"""What credential kinds carry: the hashed identity and the JSON Schemas."""
