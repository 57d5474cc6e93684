"""The knowledge base as a LangChain retriever, alone and in a chain with a fake chat model.

The chain is the one docs/how-it-answers.md shows, with LangChain's fake model in place of
``init_chat_model``.
"""

from __future__ import annotations

from pathlib import Path

from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough

from bot.services import Services, build_services
from knowledge.embeddings import MiniLMEmbedder
from knowledge.langchain_retriever import KnowledgeBaseRetriever
from tests.conftest import make_settings
from tests.fakes.chat_models import scripted

METADATA = {"title", "url", "path", "source", "date", "section", "headings", "archived", "score"}


def numbered(docs: list[Document]) -> str:
    return "\n\n".join(
        f"[{n}] {doc.metadata['title']} ({doc.metadata['source']})\n{doc.page_content}"
        for n, doc in enumerate(docs, start=1)
    )


def test_the_retriever_returns_k_documents_with_our_source_metadata(
    corpus_services: Services,
) -> None:
    retriever = KnowledgeBaseRetriever(kb=corpus_services.kb, k=3)

    docs = retriever.invoke("Who runs the sector partnerships now?")

    assert len(docs) == 3
    assert all(set(doc.metadata) >= METADATA | {"doc_id", "chunk_id"} for doc in docs)
    scores = [doc.metadata["score"] for doc in docs]
    assert scores == sorted(scores, reverse=True)
    faq = next(
        doc for doc in docs if Path(doc.metadata["path"]).name == "sector_partnerships_faq.html"
    )
    assert faq.metadata["url"] == "https://example.org/iwd/sector-partnerships/faq"
    assert faq.metadata["source"] == faq.metadata["url"]
    assert faq.metadata["date"] == "2025-02-01"
    assert faq.metadata["headings"][-1] == "Who runs the program today?"
    assert "Iowa Workforce Development (IWD) runs the program today" in faq.page_content
    assert faq.id == faq.metadata["chunk_id"]


def test_an_archived_page_is_marked_as_such(corpus_services: Services) -> None:
    retriever = KnowledgeBaseRetriever(kb=corpus_services.kb, k=1)

    [doc] = retriever.invoke("Bureau of Career Pathways and Workforce Learning")

    assert Path(doc.metadata["path"]).name == "doe_sector_partnerships_archived.html"
    assert doc.metadata["archived"] is True


def test_an_empty_knowledge_base_retrieves_nothing(tmp_path: Path, minilm: MiniLMEmbedder) -> None:
    services = build_services(make_settings(tmp_path / "empty"), embedder=minilm)

    assert KnowledgeBaseRetriever(kb=services.kb).invoke("anything") == []
    services.close()


def test_the_documented_chain_sends_the_numbered_passages_to_the_model(
    corpus_services: Services,
) -> None:
    model, recorder = scripted("Iowa Workforce Development runs them [1].")
    retriever = KnowledgeBaseRetriever(kb=corpus_services.kb, k=4)
    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "Answer only from these passages and cite them as [n]:\n\n{context}"),
            ("human", "{question}"),
        ]
    )
    chain = (
        {"context": retriever | numbered, "question": RunnablePassthrough()}
        | prompt
        | model
        | StrOutputParser()
    )

    reply = chain.invoke("Who runs the sector partnerships now?")

    assert reply == "Iowa Workforce Development runs them [1]."
    system, question = recorder.system(), recorder.human()
    assert question == "Who runs the sector partnerships now?"
    assert "[1] " in system and "[4] " in system and "[5] " not in system
    assert "Business Sector Partnerships: Frequently Asked Questions" in system
    assert "Iowa Workforce Development (IWD) runs the program today" in system
