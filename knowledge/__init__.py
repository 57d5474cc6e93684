"""The knowledge base: versions, retrieval, answering, intents and contacts."""
