"""The hand-off workflow: requests stored first, then notifications delivered through an outbox."""
