"""Read, substitute and validate a configuration file; report every problem at once.

Each problem names the field path, the file and line, and the bad value —
unless the value is a secret or came from an environment variable, which are
never echoed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr, ValidationError

from listener.config.models import PLUGIN_FIELDS, Config, config_model
from listener.plugin import PluginError, is_import_path
from listener.redact import remember, secrets_of

SECRET_KEYS = frozenset(
    {
        "password",
        "token",
        "secret",
        "cookie",
        "cookies",
        "api_key",
        "bot_token",
        "app_token",
        "credentials",
        "authorization",
    }
)
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_TAG_KEYS = ("type", "platform")
Loc = tuple[int | str, ...]


@dataclass(frozen=True)
class ConfigIssue:
    path: str
    """Field path such as ``brands[0].aliases[2]``; empty for the file as a whole."""
    message: str
    line: int | None = None


class ConfigError(Exception):
    """The configuration cannot be used; ``issues`` lists every problem found."""

    def __init__(self, file: str, issues: list[ConfigIssue]) -> None:
        self.file = file
        self.issues = issues
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        out = []
        for issue in self.issues:
            where = self.file if issue.line is None else f"{self.file}, line {issue.line}"
            prefix = f"{issue.path}: " if issue.path else ""
            out.append(f"{prefix}{issue.message} ({where})")
        return out


def format_path(loc: Loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not _PLAIN_KEY.fullmatch(part):  # a key with spaces or line breaks, quoted
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
        else:
            text += f".{part}" if text else part
    return text


_PLAIN_KEY = re.compile(r"[\w-]+")


def _line_of(node: yaml.Node | None, loc: Loc) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (or of its nearest existing parent)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if 0 <= part < len(node.value) else None
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _substitute(
    value: Any,
    loc: Loc,
    environ: Mapping[str, str],
    issues: list[ConfigIssue],
    tainted: set[Loc],
) -> Any:
    """Replace ``${VAR}`` / ``${VAR:-default}`` in strings, remembering where it happened."""
    if isinstance(value, dict):
        return {k: _substitute(v, (*loc, k), environ, issues, tainted) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, (*loc, i), environ, issues, tainted) for i, v in enumerate(value)]
    if not isinstance(value, str) or "${" not in value:
        return value

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in environ:
            return environ[name]
        if default is not None:
            return default
        issues.append(ConfigIssue(format_path(loc), f"environment variable {name} is not set"))
        return ""

    tainted.add(loc)
    return _ENV_REF.sub(replace, value)


def _strip_tags(loc: Loc, raw: Any) -> Loc:
    """Drop the union tag pydantic inserts in error locations (``notifiers.1.webhook.url``)."""
    out: list[int | str] = []
    current = raw
    for part in loc:
        if (
            isinstance(current, dict)
            and isinstance(part, str)
            and part not in current
            and any(current.get(k) == part for k in _TAG_KEYS)
        ):
            continue
        out.append(part)
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        else:
            current = None
    return tuple(out)


def _message(error: Mapping[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling against the config reference)"
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "empty string"
    if kind == "too_short" and ctx.get("min_length") == 1:
        return "must list at least one entry"
    if kind == "union_tag_invalid":
        return (
            f"unknown {ctx['discriminator'].strip(chr(39))} {ctx['tag']!r} "
            f"(expected one of {ctx['expected_tags']})"
        )
    if kind == "union_tag_not_found":
        return f"missing {ctx['discriminator']} (expected one of the documented kinds)"
    if kind == "literal_error":
        return f"must be {ctx.get('expected', 'one of the documented values')}"
    msg = str(error["msg"]).removeprefix("Value error, ")
    return msg[:1].lower() + msg[1:]


def _is_secret(loc: Loc, value: Any, tainted: set[Loc]) -> bool:
    if isinstance(value, SecretStr) or loc in tainted:
        return True
    return any(isinstance(p, str) and p.lower() in SECRET_KEYS for p in loc)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _issues_from_validation(
    exc: ValidationError, raw: Any, node: yaml.Node | None, tainted: set[Loc]
) -> list[ConfigIssue]:
    issues = []
    for error in exc.errors():
        loc = _strip_tags(tuple(error["loc"]), raw)
        message = _message(error)
        value = error.get("input")
        if (
            error["type"] not in {"missing", "extra_forbidden"}
            and isinstance(value, str | int | float | bool)
            and value != ""
            and "got " not in message
            and repr(value) not in message
        ):
            message += (
                " (value hidden: secret)"
                if _is_secret(loc, value, tainted)
                else f" (got {_show(value)})"
            )
        elif _is_secret(loc, value, tainted) and isinstance(value, str) and value in message:
            message = message.replace(value, "<hidden>")
        issues.append(ConfigIssue(format_path(loc), message, _line_of(node, loc)))
    return issues


def _duplicates(names: list[str], field: str, what: str) -> list[ConfigIssue]:
    seen: set[str] = set()
    issues = []
    for i, name in enumerate(names):
        if name and name in seen:
            issues.append(ConfigIssue(f"{field}[{i}].name", f"duplicate {what} name {name!r}"))
        seen.add(name)
    return issues


def _names(data: Mapping[str, Any], field: str, sub: str | None = None) -> list[str]:
    """The ``name`` of every entry of ``field`` (or ``field.sub``) as written, "" where an
    entry has none (the schema reports that); the default's names when the file omits it."""
    default: Any = Config.model_fields[field].default
    value: Any = data.get(field, _OMITTED)
    if sub is not None:
        default = getattr(default, sub, [])
        value = value.get(sub, _OMITTED) if isinstance(value, Mapping) else _OMITTED
    if value is _OMITTED:
        return [entry.name for entry in default] if isinstance(default, list) else []
    return [
        e["name"] if isinstance(e, Mapping) and isinstance(e.get("name"), str) else ""
        for e in (value if isinstance(value, list) else [])
    ]


_OMITTED = object()


def _entries(data: Mapping[str, Any], *path: str) -> list[Mapping[str, Any]]:
    value: Any = data
    for part in path:
        value = value.get(part) if isinstance(value, Mapping) else None
    return [e if isinstance(e, Mapping) else {} for e in value] if isinstance(value, list) else []


def _strings(entry: Mapping[str, Any], key: str) -> list[str]:
    value = entry.get(key)
    return [v if isinstance(v, str) else "" for v in value] if isinstance(value, list) else []


def _cross_checks(data: Mapping[str, Any], config: Config | None) -> list[ConfigIssue]:
    """What a schema cannot say: unique names and references that must resolve. Read from
    the file as written, so they are reported in the same pass as schema errors."""
    brands, sources = _names(data, "brands"), _names(data, "sources")
    notifiers, teams = _names(data, "notifiers"), _names(data, "teams")
    groups = _names(data, "digest", "groups")
    issues = _duplicates(brands, "brands", "brand")
    issues += _duplicates(sources, "sources", "source")
    issues += _duplicates(notifiers, "notifiers", "notifier")
    issues += _duplicates(teams, "teams", "team")
    issues += _duplicates(groups, "digest.groups", "digest group")
    for i, route in enumerate(_entries(data, "routing")):
        issues += [
            ConfigIssue(f"routing[{i}].brands[{j}]", f"no brand named {b!r}")
            for j, b in enumerate(_strings(route, "brands"))
            if b and b not in brands
        ]
        issues += [
            ConfigIssue(f"routing[{i}].notifiers[{j}]", f"no notifier named {n!r}")
            for j, n in enumerate(_strings(route, "notifiers"))
            if n and n not in notifiers
        ]
        team = route.get("team")
        if isinstance(team, str) and team not in teams:
            issues.append(ConfigIssue(f"routing[{i}].team", f"no team named {team!r}"))
    for i, group in enumerate(_entries(data, "digest", "groups")):
        issues += [
            ConfigIssue(f"digest.groups[{i}].notifiers[{j}]", f"no notifier named {n!r}")
            for j, n in enumerate(_strings(group, "notifiers"))
            if n and n not in notifiers
        ]
    if config is not None and config.detection.history < 2 * config.detection.bucket:
        issues.append(ConfigIssue("detection.history", "must span at least two buckets"))
    return issues


def parse_config(text: str, file: str, environ: Mapping[str, str] | None = None) -> Config:
    """Validate configuration text; ``file`` names it in error messages."""
    env = os.environ if environ is None else environ
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
        problem = " ".join(str(problem).split())  # one line, whatever PyYAML wrote
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(file, [ConfigIssue("", f"invalid YAML: {problem}", line)]) from None
    except RecursionError:
        deep = ConfigIssue("", "nested too deeply to be a configuration")
        raise ConfigError(file, [deep]) from None
    if node is not None and _expanded_size(node) > MAX_NODES:
        raise ConfigError(
            file,
            [
                ConfigIssue(
                    "",
                    f"more than {MAX_NODES:,} values once YAML aliases (*name) are expanded: "
                    "an alias bomb, or a file that is not a configuration",
                )
            ],
        )
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(file, [ConfigIssue("", "the top level must be a mapping of sections")])
    issues: list[ConfigIssue] = []
    tainted: set[Loc] = set()
    data = _substitute(raw, (), env, issues, tainted)
    unloadable: list[ConfigIssue] = []
    extra = _named_by_path(data, unloadable)
    # reported once already: a field whose variable is unset, an entry whose plugin
    # could not be imported (the schema would only repeat "unknown type" for it)
    reported = {_loc_of(i.path) for i in issues if i.path}
    reported |= {_loc_of(i.path)[:-1] for i in unloadable}
    issues += unloadable
    config: Config | None = None
    try:
        config = config_model(extra).model_validate(data)
    except ValidationError as exc:
        issues += [
            i
            for i in _issues_from_validation(exc, data, node, tainted)
            if not any(_loc_of(i.path)[: len(loc)] == loc for loc in reported)
        ]
    issues += _cross_checks(data, config)
    issues = [
        i if i.line is not None else ConfigIssue(i.path, i.message, _line_of(node, _loc_of(i.path)))
        for i in issues
    ]
    if issues or config is None:
        raise ConfigError(file, issues)
    remember(secrets_of(config))  # masked in every log, error and message from now on
    return config


MAX_NODES = 100_000
"""Values in a configuration once aliases are expanded; a real one has a few hundred."""


def _expanded_size(root: yaml.Node) -> int:
    """How many values the document holds with every alias expanded, computed over the
    node graph (aliases share nodes) so a billion-laughs file is measured, not expanded."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key not in sizes:
            sizes[key] = 1  # a recursive alias counts once instead of looping
            if isinstance(node, yaml.MappingNode):
                children = [part for pair in node.value for part in pair]
            elif isinstance(node, yaml.SequenceNode):
                children = list(node.value)
            else:
                children = []
            sizes[key] = min(MAX_NODES + 1, 1 + sum(size(child) for child in children))
        return sizes[key]

    return size(root)


def _named_by_path(
    data: Mapping[str, Any], issues: list[ConfigIssue]
) -> frozenset[tuple[str, str]]:
    """The plugins the file names by import path (``type: acme.alerts:TeamsNotifier``),
    imported now so that their options are validated like the shipped plugins' ones."""
    found: set[tuple[str, str]] = set()
    for field, registry in PLUGIN_FIELDS.items():
        value = data.get(field)
        entries = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, entry in entries:
            name = entry.get(registry.tag) if isinstance(entry, dict) else None
            if not (isinstance(name, str) and is_import_path(name)):
                continue
            where = field if index is None else f"{field}[{index}]"
            try:
                registry.resolve(name)
            except PluginError as exc:
                issues.append(ConfigIssue(f"{where}.{registry.tag}", str(exc)))
                continue
            found.add((field, name))
    return frozenset(found)


def _loc_of(path: str) -> Loc:
    parts: list[int | str] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return tuple(parts)


def load_config(path: Path | str, environ: Mapping[str, str] | None = None) -> Config:
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(file, [ConfigIssue("", "file not found")]) from None
    except IsADirectoryError:
        raise ConfigError(file, [ConfigIssue("", "is a directory, not a file")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(file, [ConfigIssue("", f"not UTF-8 text: {exc.reason}")]) from None
    except OSError as exc:
        raise ConfigError(file, [ConfigIssue("", f"cannot read: {exc.strerror}")]) from None
    return parse_config(text, file, environ)


DEFAULT_CONFIG_PATHS = (Path("config/listener.yml"), Path("config/listener.example.yml"))


def resolve_config_path(explicit: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """``--config``, else ``$LISTENER_CONFIG``, else the first of DEFAULT_CONFIG_PATHS."""
    env = os.environ if environ is None else environ
    if explicit:
        return Path(explicit)
    if env.get("LISTENER_CONFIG"):
        return Path(env["LISTENER_CONFIG"])
    for candidate in DEFAULT_CONFIG_PATHS:
        if candidate.exists():
            return candidate
    raise ConfigError(
        str(DEFAULT_CONFIG_PATHS[0]),
        [ConfigIssue("", "no configuration found: pass --config FILE or set LISTENER_CONFIG")],
    )
