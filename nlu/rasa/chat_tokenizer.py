"""Chat tokenizer: normalized live chat, Chinese segmented by jieba, Latin by words, mixed in one line.

The text is first normalized (``nlu.text.normalizer``: full-width forms, case, @mentions, URLs, emote
codes, repeated characters); jieba then segments the normalized text (it splits Chinese into words
and keeps each English word, number and punctuation mark as a token of its own). Each token's text
is the *normalized* form ("priceee" -> "pricee", "ＸＬ" -> "xl", "KEKW" -> "emotelaugh") while its
``start``/``end`` are offsets in what the viewer typed, so entity spans still line up.

Why a subclass: ``jieba.tokenize`` returns every space as a token of its own, so for English
chat ("how much is the sheet mask") half the tokens DIET sees are ``" "``. They carry no
features, double the sequence length and get tagged as entities (a held-out check of the
first model returned the product ``" "`` next to ``"sheet mask"``). The built-in
``token_pattern`` option cannot drop them: Rasa keeps a token the pattern does not match.

Imported only by the Rasa runtime (Python 3.10); ``chat_tokens`` is usable without a pipeline.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from nlu.text.normalizer import normalize

log = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class ChatJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer for mixed zh/en chat. Config keys: those of JiebaTokenizer."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChatJiebaTokenizer:
        """Create the tokenizer for training."""
        _warm_up_jieba()
        return super().create(config, model_storage, resource, execution_context)  # type: ignore[return-value]

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ChatJiebaTokenizer:
        """Load the tokenizer for serving; builds jieba's prefix dictionary now, not on the
        first viewer message (about 0.6 s on this machine)."""
        _warm_up_jieba()
        return super().load(config, model_storage, resource, execution_context, **kwargs)  # type: ignore[return-value]

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokens of the normalized text (no whitespace tokens), with offsets into the raw text."""
        return chat_tokens(message.get(attribute) or "")


def chat_tokens(text: str) -> list[Token]:
    """Tokenize one raw chat line (see the module docstring)."""
    import jieba

    norm = normalize(text)
    tokens: list[Token] = []
    for word, start, end in jieba.tokenize(norm.text):
        if not word.strip():
            continue
        src_start, src_end = norm.source_span(start, end)
        tokens.append(Token(word, src_start, end=src_end))
    return tokens


def _warm_up_jieba() -> None:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
