"""Optional LLM answers through LangChain: model factory, grounded prompt, citation check.

Nothing here is imported unless ``LLM_MODEL`` is set, so the default (extractive) path never
loads LangChain. The extractive answerer still does intents, retrieval and the confidence
decision; a model only words the answer to a plain question from the same passages, and any
failure leaves the extractive answer in place.
"""
