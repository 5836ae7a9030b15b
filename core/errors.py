"""One error taxonomy for every stage, so the CLI and the API map failures to messages in one place."""

from typing import ClassVar


class SecretomeQAError(Exception):
    """Base of every error the project raises on purpose.

    `retryable` tells callers whether trying again can help; `help_message` is what a user should do.
    """

    retryable: ClassVar[bool] = False
    help_message: ClassVar[str] = ""
    exit_code: ClassVar[int] = 1

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} ({self.help_message})" if self.help_message else base


class InputError(SecretomeQAError):
    """The user gave input the tool cannot use (bad file, bad query, bad option)."""

    exit_code: ClassVar[int] = 2


class ParseError(InputError):
    """A file or payload could not be parsed; the message names the file and position."""


class NCBIError(SecretomeQAError):
    """NCBI E-utilities failed or returned an error payload."""


class NCBITransientError(NCBIError):
    """A failure worth retrying: HTTP 429/5xx or a network error."""

    retryable: ClassVar[bool] = True


class StoreError(SecretomeQAError):
    """The SQLite document store cannot be opened or written."""


class IndexMismatchError(SecretomeQAError):
    """An index was opened with settings other than the ones that built it."""

    help_message: ClassVar[str] = "rebuild it with `secretome-qa index --rebuild` or restore the settings"


class IndexMissingError(SecretomeQAError):
    """The retrieval index has not been built yet."""

    help_message: ClassVar[str] = "run `secretome-qa index` first"


class VectorStoreUnavailableError(SecretomeQAError):
    """The Chroma server cannot be reached."""

    retryable: ClassVar[bool] = True
    help_message: ClassVar[str] = "check that `chroma run` is up at the configured host and port"


class ModelUnavailableError(SecretomeQAError):
    """A configured model directory or LLM endpoint cannot be used."""


class LLMNotConfiguredError(InputError):
    """The llm backend was asked for but no endpoint is configured: a setting to fix, not an outage."""

    help_message: ClassVar[str] = (
        "set SECRETOME_ANSWER__LLM__BASE_URL (and SECRETOME_ANSWER__LLM__MODEL), or use the extractive backend"
    )
