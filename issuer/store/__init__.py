"""The issuer registry: the Store and its transactions, the database layer (SQLite and PostgreSQL),
records and schema migrations."""
