"""The database: the tables, their migrations, reading and writing rows, and verifying the
stored log against itself. SQLite and PostgreSQL through one code path."""
