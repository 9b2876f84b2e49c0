"""The one plugin convention, for every kind (source, store, scorer, detector, notifier).

A plugin is a class that declares

- ``Config``: its pydantic config model, whose tag field (``type:``, or ``platform:`` for
  sources) is a ``Literal`` holding the plugin's name, the one place the name is written;
- ``from_config(config, ctx)``: how it is built from that config and a ``PluginContext``
  (the default calls ``cls(config)``).

Each kind has one ``Registry``, an explicit list of the plugins shipped with Listener; the
config file's tagged unions are derived from it (``Registry.config_union``). A plugin that
is not shipped with Listener is named by its import path instead of a short name
(``type: acme.alerts.teams:TeamsNotifier``), and its config model's tag is that path: the
loader imports it when a configuration names it. Nothing is discovered by import side
effects, and no registry changes after it is made.

A leaf module, like ``listener.domain``: nothing of ours is imported here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Generic, Protocol, Self, TypeVar, Union

from pydantic import BaseModel, Field


class State(Protocol):
    """Small durable key/value state a plugin keeps across restarts (a notifier's threads)."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str) -> None: ...


class MemoryState:
    """State that lives as long as the process (tests, previews, one-off commands)."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self._values.get(key)

    def put(self, key: str, value: str) -> None:
        self._values[key] = value


def _memory_state(name: str) -> State:
    return MemoryState()


@dataclass(frozen=True)
class PluginContext:
    """What plugins may need from the daemon besides their own config."""

    data_dir: Path = Path("data")
    """Where plugins that keep files put them (the embedded store)."""
    brand_terms: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Per brand, its name, aliases and keywords in the matching form (``textfold.fold``)."""
    crisis_vocabulary: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Crisis terms per brand; the entry under "" applies to every brand."""
    timezone: str = "Asia/Shanghai"
    language: str = "zh"
    """What people read is worded in this language unless a plugin says otherwise."""
    state: Callable[[str], State] = _memory_state
    """``state(plugin_name)``: the durable state of one configured plugin."""


class PluginError(Exception):
    """A plugin cannot be found or loaded; the message says which and why."""


class Plugin(Protocol):
    Config: ClassVar[type[BaseModel]]

    @classmethod
    def from_config(cls, config: Any, ctx: PluginContext) -> Self: ...


P = TypeVar("P")


def is_import_path(name: str) -> bool:
    """``package.module:Class`` names a plugin outside Listener's registries."""
    return ":" in name


def tag_value(model: type[BaseModel], tag: str) -> str:
    """The name a config model's tag field holds (its ``Literal`` default)."""
    fields = model.model_fields
    if tag not in fields or not isinstance(fields[tag].default, str):
        raise PluginError(f"{model.__qualname__} needs a {tag}: Literal[...] field with a default")
    return str(fields[tag].default)


class Named:
    """What every plugin base shares: the plugin's name is read from its ``Config``'s tag
    field (``TAG``) into the class attribute ``NAME_AS`` when a plugin class is made."""

    TAG: ClassVar[str] = "type"
    NAME_AS: ClassVar[str] = "name"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "Config" in cls.__dict__:
            setattr(cls, cls.NAME_AS, tag_value(cls.__dict__["Config"], cls.TAG))


class Registry(Generic[P]):
    """The plugins of one kind, by name; the only list of them."""

    def __init__(self, kind: str, base: type[Any], tag: str, plugins: Sequence[type[P]]) -> None:
        self.kind = kind
        self.base = base
        self.tag = tag
        self._plugins: dict[str, type[P]] = {}
        for plugin in plugins:
            name = self.name_of(plugin)
            if name in self._plugins:
                raise PluginError(f"two {kind} plugins are named {name!r}")
            self._plugins[name] = plugin

    def name_of(self, plugin: type[P]) -> str:
        return tag_value(_config_model(plugin), self.tag)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._plugins)

    def __iter__(self) -> Iterator[type[P]]:
        return iter(self._plugins.values())

    def resolve(self, name: str) -> type[P]:
        """The plugin called ``name``: a shipped one, or one named by its import path."""
        if name in self._plugins:
            return self._plugins[name]
        if not is_import_path(name):
            known = ", ".join(self._plugins)
            raise PluginError(f"unknown {self.kind} {name!r} (expected one of {known})")
        plugin = _import(name)
        if not (isinstance(plugin, type) and issubclass(plugin, self.base)):
            raise PluginError(f"{name} is not a {self.kind} plugin (a {self.base.__name__})")
        declared = tag_value(_config_model(plugin), self.tag)
        if declared != name:
            raise PluginError(
                f"{name}: its Config's {self.tag} must be Literal[{name!r}] (it is {declared!r})"
            )
        resolved: type[P] = plugin
        return resolved

    def config_union(self, extra: Iterable[str] = ()) -> Any:
        """The tagged union of every plugin's config model (plus those named in ``extra``)."""
        models = [_config_model(p) for p in self._plugins.values()]
        models += [_config_model(self.resolve(name)) for name in extra if name not in self._plugins]
        if len(models) == 1:
            return models[0]
        return Annotated[Union[tuple(models)], Field(discriminator=self.tag)]  # noqa: UP007

    def build(self, config: BaseModel, ctx: PluginContext) -> P:
        plugin: Any = self.resolve(str(getattr(config, self.tag)))
        built: P = plugin.from_config(config, ctx)
        return built


def _config_model(plugin: type[Any]) -> type[BaseModel]:
    model = getattr(plugin, "Config", None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise PluginError(f"{plugin.__qualname__} declares no Config model")
    return model


def _import(path: str) -> Any:
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise PluginError(f"cannot import {module_name!r} for {path}: {exc}") from None
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise PluginError(f"{module_name} has no {attribute!r} (for {path})") from None
