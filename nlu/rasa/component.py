"""The ``create``/``load`` of liveroom's Rasa graph components, written once.

Rasa builds a ``GraphComponent`` with ``create`` for training and ``load`` for serving (the default
``load`` calls ``create``). The components here come in two shapes:

* :class:`ConfigComponent`: configured by its config alone, nothing trained or stored; built as
  ``cls(config)``.
* :class:`StoredComponent`: trains something and keeps it in its resource; built as
  ``cls(config, model_storage, resource)`` for training, and for serving as
  ``cls(config, model_storage, resource, stored)`` with ``stored`` read by :meth:`read_stored` from the
  resource's directory. When nothing readable is stored (``ModelStorage`` raises ``ValueError`` for a
  resource that was never written; a file may be missing) :meth:`not_stored` says what to use instead.
"""

from __future__ import annotations

import abc
from pathlib import Path
from typing import Any, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

_Config = TypeVar("_Config", bound="ConfigComponent")
_Stored = TypeVar("_Stored", bound="StoredComponent")


class ConfigComponent(GraphComponent):
    """A component its config alone defines: ``create`` (and Rasa's default ``load``) is ``cls(config)``."""

    @abc.abstractmethod
    def __init__(self, config: dict[str, Any]) -> None: ...

    @classmethod
    def create(
        cls: type[_Config],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> _Config:
        return cls(config)


class StoredComponent(GraphComponent):
    """A component that stores what it trained in its resource and reads it back when loaded."""

    #: errors that mean "nothing (readable) stored" rather than a broken model
    NOT_STORED: tuple[type[Exception], ...] = (ValueError, FileNotFoundError, OSError)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        stored: Any = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls: type[_Stored],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> _Stored:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls: type[_Stored],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> _Stored:
        try:
            with model_storage.read_from(resource) as directory:
                stored = cls.read_stored(directory)
        except cls.NOT_STORED as err:
            stored = cls.not_stored(resource, err)
        component = cls(config, model_storage, resource, stored)
        component.loaded()
        return component

    @classmethod
    def read_stored(cls, directory: Path) -> Any:
        """What :meth:`train` wrote to ``directory``, passed to the constructor as ``stored``."""
        raise NotImplementedError

    @classmethod
    def not_stored(cls, resource: Resource, err: Exception) -> Any:
        """``stored`` when nothing readable was stored; None unless a component says otherwise."""
        return None

    def loaded(self) -> None:
        """Called once on the component ``load`` built (serving), before Rasa uses it."""
