"""Build the chat model named by ``LLM_MODEL`` (``provider:model``) through LangChain."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

# Providers whose LangChain classes take a request timeout and a retry count; for the others
# only our own deadline (``knowledge.llm.generate``) bounds a call.
_TAKE_TIMEOUT = frozenset({"openai", "anthropic", "azure_openai", "groq", "mistralai", "xai"})
# Anything that looks like a key, should a provider quote one in an error message.
_KEY_LIKE = re.compile(r"\b(?=[A-Za-z0-9_\-]*\d)[A-Za-z0-9_\-]{20,}\b")


class LlmSetupError(Exception):
    """``LLM_MODEL`` names a model that cannot be built; the message names the key."""


def make_chat_model(
    spec: str, *, timeout_seconds: float, temperature: float | None = None
) -> BaseChatModel:
    """The chat model for ``spec`` (e.g. ``openai:gpt-4o-mini``), built by ``init_chat_model``.

    Provider settings (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``ANTHROPIC_API_KEY``,
    ``OLLAMA_HOST``, ...) are read by the provider's own library, as it documents them.

    Raises:
        LlmSetupError: when the provider's package is missing, or the provider
            refuses the configuration (the message never contains a key).

    """
    provider, _, name = spec.partition(":")
    if not provider or not name:
        raise LlmSetupError(
            f"LLM_MODEL: expected provider:model (e.g. openai:gpt-4o-mini), got {spec!r}"
        )
    # Imported here, not at the top: the extractive path never pays for loading LangChain.
    from langchain.chat_models import init_chat_model

    options: dict[str, Any] = {}
    if temperature is not None:
        options["temperature"] = temperature
    if provider in _TAKE_TIMEOUT:
        options.update(timeout=timeout_seconds, max_retries=1)
    try:
        model: BaseChatModel = init_chat_model(spec, **options)
    except ImportError as error:
        package = f"langchain-{provider.replace('_', '-')}"
        raise LlmSetupError(
            f"LLM_MODEL={spec}: the {provider} provider needs {error.name or package} "
            f"(pip install {package})"
        ) from None
    except Exception as error:  # noqa: BLE001 - providers raise many kinds on bad settings
        raise LlmSetupError(
            f"LLM_MODEL={spec}: cannot build the chat model ({type(error).__name__}: "
            f"{mask_keys(str(error))})"
        ) from None
    return model


def mask_keys(text: str) -> str:
    """``text`` with anything key-like masked, and cut to one short line."""
    line = " ".join(text.split())[:300]
    return _KEY_LIKE.sub("****", line)
