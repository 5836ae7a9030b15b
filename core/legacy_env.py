"""The one-underscore environment names (``SECRETOME_CHROMA_MODE``) that predate ``__`` nesting.

Settings nest with ``__`` now (``SECRETOME_ANSWER__LLM__BASE_URL``), so every field can be set on its own.
Users' shells, `.env` files and deployment manifests still carry the old names; they keep working: a name
is read as prefix, section, then the longest field path inside that section. A name that picks a known
section but no field of it is an error naming what the section has, so a typo is not silently ignored.
Fields that moved to another section are found under their new home (`MOVED`).
"""

import json
import os
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import BaseModel
from pydantic_settings import BaseSettings, DotEnvSettingsSource, PydanticBaseSettingsSource, SettingsError

PREFIX = "SECRETOME_"
# (old section, field) -> new section, for fields that moved when the index section was introduced.
MOVED: dict[tuple[str, str], str] = {
    ("retrieval", "chunk_max_words"): "index",
    ("retrieval", "chunk_overlap_sentences"): "index",
}


def _model_of(annotation: Any) -> type[BaseModel] | None:
    candidates = typing.get_args(annotation) or (annotation,)
    return next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)


def _is_complex(annotation: Any) -> bool:
    origins = {typing.get_origin(a) for a in (annotation, *typing.get_args(annotation))}
    return bool(origins & {list, dict, set, tuple})


def _field_path(model: type[BaseModel], rest: str) -> list[str] | None:
    """The field path that spells `rest` (`llm_base_url` -> [llm, base_url]), longest names first."""
    if rest in model.model_fields:
        return [rest]
    for name in sorted(model.model_fields, key=len, reverse=True):
        sub = _model_of(model.model_fields[name].annotation)
        if sub is not None and rest.startswith(name + "_"):
            tail = _field_path(sub, rest[len(name) + 1 :])
            if tail:
                return [name, *tail]
    return None


def _leaf_annotation(model: type[BaseModel], path: list[str]) -> Any:
    annotation: Any = model
    for name in path:
        annotation = _model_of(annotation).model_fields[name].annotation
    return annotation


def translate(settings_cls: type[BaseModel], variables: Mapping[str, str | None]) -> dict[str, Any]:
    """Nested settings data from old-style names; new-style (`__`) and top-level names are left alone."""
    sections = {
        name: model
        for name, field in settings_cls.model_fields.items()
        if (model := _model_of(field.annotation)) is not None
    }
    data: dict[str, Any] = {}
    for key, value in variables.items():
        upper = key.upper()
        if value is None or not upper.startswith(PREFIX) or "__" in key:
            continue
        name = upper[len(PREFIX) :].lower()
        if name in settings_cls.model_fields:
            continue
        section = next((s for s in sorted(sections, key=len, reverse=True) if name.startswith(s + "_")), None)
        if section is None:
            continue
        rest = name[len(section) + 1 :]
        home = MOVED.get((section, rest), section)
        path = _field_path(sections[home], rest)
        if path is None:
            fields = ", ".join(sections[section].model_fields)
            raise SettingsError(f"{key}: the {section} settings have no field {rest!r} (fields: {fields})")
        value = json.loads(value) if _is_complex(_leaf_annotation(sections[home], path)) else value
        target = data.setdefault(home, {})
        for step in path[:-1]:
            target = target.setdefault(step, {})
        target.setdefault(path[-1], value)
    return data


class LegacyEnvSource(PydanticBaseSettingsSource):
    """Old-style names from the process environment (default) or from a `.env` file."""

    def __init__(self, settings_cls: type[BaseSettings], env_file: Path | str | None, environ: bool = True):
        super().__init__(settings_cls)
        self.env_file = env_file
        self.environ = environ

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        if self.environ:
            return translate(self.settings_cls, os.environ)
        if self.env_file is None or not Path(self.env_file).is_file():
            return {}
        return translate(self.settings_cls, dotenv_values(self.env_file))


class NestedOnlyDotEnvSource(DotEnvSettingsSource):
    """The `.env` file minus its old-style names, which `LegacyEnvSource` reads instead."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        loaded = super()._load_env_vars()
        fields = {name.lower() for name in self.settings_cls.model_fields}
        prefix = PREFIX.lower()
        return {
            key: value
            for key, value in loaded.items()
            if not key.startswith(prefix) or "__" in key or key[len(prefix) :] in fields
        }
