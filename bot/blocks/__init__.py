"""Block Kit payloads: answers, the contact card, App Home."""
