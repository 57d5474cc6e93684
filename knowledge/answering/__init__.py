"""Answering: understand -> retrieve -> select -> decide -> compose (see ``pipeline``)."""

from knowledge.answering.pipeline import Answerer, Grounds, QuestionAnswerer

__all__ = ["Answerer", "Grounds", "QuestionAnswerer"]
