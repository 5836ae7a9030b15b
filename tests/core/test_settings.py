"""One settings object: environment names users type, defaults, validation."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import Settings, get_settings, masked_settings


def test_environment_uses_one_underscore_between_section_and_field(monkeypatch):
    monkeypatch.setenv("SECRETOME_DATA_DIR", "/tmp/somewhere")
    monkeypatch.setenv("SECRETOME_CHROMA_MODE", "http")
    monkeypatch.setenv("SECRETOME_CHROMA_PORT", "9123")
    monkeypatch.setenv("SECRETOME_ENTREZ_API_KEY", "k")
    settings = Settings(_env_file=None)
    assert settings.data_dir == Path("/tmp/somewhere")
    assert (settings.chroma.mode, settings.chroma.port) == ("http", 9123)
    assert settings.entrez.api_key.get_secret_value() == "k"
    assert settings.store_path == Path("/tmp/somewhere/store.sqlite")


def test_dotenv_file_is_read(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text("SECRETOME_RETRIEVAL_K=7\n")
    assert Settings(_env_file=env).retrieval.k == 7


def test_invalid_values_and_unknown_fields_are_refused():
    with pytest.raises(ValidationError, match="mode"):
        Settings(_env_file=None, chroma={"mode": "carrier-pigeon"})
    with pytest.raises(ValidationError, match="extra"):
        Settings(_env_file=None, entrez={"emial": "typo@example.org"})


def test_get_settings_accepts_settings_dicts_and_none():
    base = Settings(_env_file=None)
    assert get_settings(base) is base
    assert get_settings({"retrieval": {"k": 3}}).retrieval.k == 3


def test_secrets_are_masked():
    shown = masked_settings(Settings(_env_file=None, api={"admin_key": "hunter2"}))
    assert shown["api"]["admin_key"] == "**********"
