"""Rasa's JiebaTokenizer, minus whitespace tokens, with jieba's dictionary loaded at model load.

Why a subclass: ``jieba.tokenize`` returns every space as a token of its own, so for English
chat ("how much is the sheet mask") half the tokens DIET sees are ``" "``. They carry no
features, double the sequence length and get tagged as entities (a held-out check of the
first model returned the product ``" "`` next to ``"sheet mask"``). The built-in
``token_pattern`` option cannot drop them: Rasa keeps a token the pattern does not match.

Everything else (Chinese segmentation, the optional user dictionary, offsets) is Rasa's own,
so entity spans of the training data still fall on token boundaries. Imported only by the Rasa
runtime (Python 3.10); the later custom tokenizer issue may replace this class.
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
        """Jieba's tokens without the whitespace-only ones."""
        return [token for token in super().tokenize(message, attribute) if token.text.strip()]


def _warm_up_jieba() -> None:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
