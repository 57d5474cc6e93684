"""The versioned knowledge base's storage, and the one database schema every package shares."""
