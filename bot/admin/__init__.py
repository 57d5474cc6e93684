"""What admins see and do: knowledge-base status, sources, refresh from Slack, the schedule."""
