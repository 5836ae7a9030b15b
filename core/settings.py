"""The one settings object, passed down explicitly from the CLI or the app factory.

Environment variables use the prefix ``SECRETOME_`` and two underscores between nested names, e.g.
``SECRETOME_DATA_DIR``, ``SECRETOME_CHROMA__MODE=http``, ``SECRETOME_ANSWER__LLM__BASE_URL``. The older
one-underscore spelling (``SECRETOME_CHROMA_MODE``) still works (`core.legacy_env`); a ``.env`` file in the
working directory is read too. Every tuning knob lives here, grouped by the stage it tunes.
"""

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from core.legacy_env import LegacyEnvSource, NestedOnlyDotEnvSource
from rag.choices import AnswerBackend

DEFAULT_SHARED_CORPUS = Path("../shared/corpus/records.jsonl")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EntrezSettings(_Section):
    email: str | None = Field(None, description="Contact e-mail NCBI asks every E-utilities client to send.")
    api_key: SecretStr | None = Field(None, description="NCBI API key: raises the rate limit from 3 to 10 requests/s.")
    tool: str = Field("secretome-qa", description="Tool name sent to NCBI with every request.")
    batch_size: int = Field(200, ge=1, le=10_000, description="Records per efetch request.")
    max_retries: int = Field(5, ge=0, description="Retries on HTTP 429/5xx and network errors.")
    backoff_seconds: float = Field(1.0, ge=0, description="First retry delay; doubles on every retry.")
    max_records_per_search: int = Field(
        9_999, ge=1, description="Result sets above this are split by date range (NCBI returns at most 10,000)."
    )


class EmbeddingSettings(_Section):
    model_path: Path | None = Field(
        None, description="Local sentence-transformers model directory; default: the bundled all-MiniLM-L6-v2."
    )
    backend: Literal["torch", "onnx-int8"] = Field("onnx-int8", description="Encoder runtime; onnx-int8 ~3x torch fp32.")
    precision: Literal["auto", "fp32", "bf16"] = Field(
        "auto", description="Torch precision; auto picks bf16 where the CPU supports it."
    )
    batch_size: int | None = Field(
        None, ge=1, description="Texts per encoder batch; default: 1 for onnx-int8 (a vector then never depends on the texts"
        " batched with it), 16 for torch (measured fastest here).",
    )
    threads: int | None = Field(
        None, ge=1, description="CPU threads for encoding (onnx-int8: parallel single-threaded sessions); default: all cores."
    )


class ChromaSettings(_Section):
    mode: Literal["embedded", "http"] = Field("embedded", description="Embedded PersistentClient or a `chroma run` server.")
    host: str = Field("127.0.0.1", description="Chroma server host (http mode).")
    port: int = Field(8001, ge=1, le=65535, description="Chroma server port (http mode).")
    collection_prefix: str = Field("secretome", description="Collection names start with this, then the index identity hash.")
    token: SecretStr | None = Field(
        None, description="Token for a `chroma run` server started with token auth (CHROMA_SERVER_AUTHN_CREDENTIALS)."
    )
    token_header: Literal["Authorization", "X-Chroma-Token"] = Field(
        "Authorization", description="Header the server reads the token from (CHROMA_AUTH_TOKEN_TRANSPORT_HEADER)."
    )


class IndexSettings(_Section):
    """What decides chunks, BM25 terms and the HNSW graph (recorded in the index manifest), and what else the
    indexer stores."""

    chunk_max_words: int = Field(180, ge=20, description="Abstracts longer than this are split into windows.")
    chunk_overlap_sentences: int = Field(1, ge=0, description="Sentences shared by neighbouring windows.")
    bm25_k1: float = Field(1.2, gt=0, description="BM25 term-frequency saturation (Lucene variant).")
    bm25_b: float = Field(0.75, ge=0, le=1, description="BM25 length normalisation.")
    bm25_title_repeat: int = Field(2, ge=1, description="Times title terms are counted (field weighting).")
    hnsw_ef_construction: int = Field(200, ge=1, description="Chroma HNSW build-time candidate list size.")
    hnsw_ef_search: int = Field(200, ge=1, description="Chroma HNSW query-time candidate list size.")
    hnsw_max_neighbors: int = Field(32, ge=2, description="Chroma HNSW links per node.")
    sentence_vectors: bool = Field(
        True,
        description="Also embed each passage's sentences into the embedding cache, so answers read their vectors "
        "instead of encoding them per question (embedding takes about 1.5 times as long; answer scores within noise).",
    )
    max_passage_chars: int = Field(
        10_000,
        ge=500,
        description="A record with a chunk longer than this (one enormous sentence) is left out of the index, "
        "with a message; real 180-word windows are about 1,500 characters.",
    )


class RetrievalSettings(_Section):
    k: int = Field(10, ge=1, le=200, description="Records returned per search.")
    candidates: int = Field(100, ge=1, description="Passages each retriever contributes before fusion.")
    fusion: Literal["score", "rrf"] = Field("score", description="score: weighted BM25/max + cosine; rrf: by ranks.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    dense_weight: float = Field(0.7, ge=0, description="Weight of the dense side in fusion (tuned on the dev set).")
    bm25_weight: float = Field(0.3, ge=0, description="Weight of the BM25 side in fusion (tuned on the dev set).")
    rerank: bool = Field(
        False,
        description="Re-rank the fused candidates with the trained cross-encoder (off: on held-out questions it only"
        " matches BM25 and stays below the hybrid order; see README).",
    )
    rerank_depth: int = Field(30, ge=1, le=200, description="Fused records the cross-encoder re-orders.")
    reranker_model: Path | None = Field(
        None, description="Int8 ONNX cross-encoder file; default: the shipped rag/models/relevance model."
    )


class LLMSettings(_Section):
    provider: Literal["openai", "ollama"] = Field("openai", description="OpenAI-compatible endpoint or Ollama.")
    base_url: str | None = Field(None, description="Endpoint base URL (vLLM, llama.cpp server, Ollama, hosted).")
    model: str = Field("local-model", description="Model name sent to the endpoint.")
    api_key: SecretStr | None = Field(None, description="Endpoint API key, when it needs one.")
    temperature: float = Field(0.0, ge=0, le=2)
    timeout_seconds: float = Field(120.0, gt=0)


class AnswerSettings(_Section):
    backend: AnswerBackend = Field(AnswerBackend.EXTRACTIVE, description="Answer generator.")
    max_sentences: int = Field(5, ge=1, le=20, description="Sentences in an extractive answer.")
    max_sentences_per_record: int = Field(2, ge=1, description="Sentences one record may contribute.")
    max_sentences_top_record: int = Field(
        4,
        ge=1,
        description="Sentences the record retrieval ranks first may contribute (it also offers its title and cut"
        " tail); README, 'Answers'.",
    )
    evidence_records: int = Field(8, ge=1, description="Retrieved records handed to the generator.")
    min_relevance: float | None = Field(
        None,
        description="Refusal threshold on the best evidence sentence's cross-encoder probability; "
        "default: rag/answer/calibration.json.",
    )
    sentence_pool: int = Field(
        12, ge=1, description="Candidate sentences the cross-encoder reads per answer (its cost: about 13 ms each)."
    )
    read_top_records: int = Field(
        1,
        ge=0,
        description="Records, in retrieval order, whose every candidate sentence the cross-encoder reads besides"
        " the `sentence_pool` (a finding worded unlike the question can fall outside the pool); README, 'Answers'.",
    )
    sentence_rescue: float = Field(
        0.5,
        ge=0,
        le=1.01,
        description="A sentence under the refusal floor is still usable when the cross-encoder gives it this"
        " probability or more and its record has a sentence over the floor (above 1: never); rule selection only.",
    )
    sentence_selection: Literal["trained", "rule"] = Field(
        "trained",
        description="Which sentences of the records over the refusal floor an extractive answer may use: the"
        " trained selector's choice, or the rule (floor, plus `sentence_rescue`).",
    )
    sentence_selector_model: Path | None = Field(
        None, description="Trained sentence selector (ONNX); default: the shipped rag/models/sentence_selector.onnx."
    )
    verdict_model: list[Path] | None = Field(
        None,
        description="Int8 ONNX yes/no verdict model file(s), comma-separated; several are read as one, their logits"
        " averaged (README 'Trained models'). Default: the shipped rag/models/verdict model.",
    )
    verdict_margin: float = Field(
        0.0,
        ge=0,
        lt=0.5,
        description="P(yes) within this of 0.5 gives the verdict `undetermined` (0: only when nothing was read; "
        "BioASQ validation accuracy fell from 0.764 to 0.655 at 0.05, the undetermined answers mostly right).",
    )
    verdict_sentences: int = Field(3, ge=1, description="Best sentences of each record the verdict model reads.")
    verdict_records: int = Field(
        3, ge=1, description="Records the verdict model reads (one reading each, averaged by relevance)."
    )
    verdict_top_record: bool = Field(
        True,
        description="Average the records' reading with the verdict model's reading of the top record's own passages"
        " (its conclusion comes last); held-out BioASQ and PubMedQA yes/no: 168 -> 175 of 239 right (README).",
    )
    top_record_title: bool = Field(
        True,
        description="The record retrieval ranks first offers its title as a candidate sentence beside its own (other"
        " records only where their partial abstract gives no complete sentence); README, 'Answers'.",
    )
    quote_cut_tails: bool = Field(
        True,
        description="The top record's final fragment, when the source cut its abstract mid-sentence, may be quoted,"
        " marked '[…]' (10 words or more); README, 'Answers'.",
    )
    verdict_second_reading: bool = Field(
        True,
        description="When the best sentences leave the verdict undetermined, read the top record's own passages "
        "(its conclusion comes last) and take that verdict if it is decided; it is then cited by that record.",
    )
    verdict_reads_denials: bool = Field(
        False,
        description="A \"yes\" verdict turns to \"no\" when a quoted sentence denies what the question asks (a negation"
        " followed within eight words by two of its content terms; rag/answer/negated_claims.py). Off: held out it"
        " gained one right verdict and lost one on test, and lost one blind (README 'Answers').",
    )
    facet_coverage: bool = Field(
        True,
        description="Refuse when the question names a cell source, a preconditioning or (about a cell product) a"
        " disease area that no cited record mentions (rag/answer/facet_coverage.py; README 'Answers').",
    )
    cite_covering_records: bool = Field(
        True,
        description="Drop the sentences of cited records that do not each pass the coverage rules turned on here, when"
        " some cited record does (rag/answer/single_record.py `covering_records`; README 'Answers').",
    )
    briefing_topic_coverage: bool = Field(
        True,
        description="A briefing quotes only records that, each on its own, pass the coverage rules turned on here"
        " (product, stem cells, facets, tissue, intent, focus) for the topic: a bullet stands alone (rag/briefing.py).",
    )
    selector_admits_records: bool = Field(
        True,
        description="Once some record reaches the refusal floor, a record under it may be cited too when the sentence"
        " selector would quote one of its sentences (probability at its threshold or more); README 'Answers'.",
    )
    product_records_only: bool = Field(
        True,
        description="A question that names a cell-free product is answered only from the retrieved records that"
        " mention one, when any does (rag/answer/product_coverage.py; README 'Answers').",
    )
    stem_cell_coverage: bool = Field(
        True,
        description="Refuse a question that names stem or stromal cells (MSCs, ADSCs, iPSCs, ...) when no cited record"
        " names any (rag/answer/stem_cell_coverage.py; README 'Answers').",
    )
    category_preferences: bool = Field(
        False,
        description="Re-order the retrieved records by the question's category before the answer reads them"
        " (trials prefer clinical trials, regulatory questions reviews, ...; rag/answer/routing.py PREFERENCES). Off:"
        " the retrieval order served every measured set as well or better (README 'Answers').",
    )
    tissue_coverage: bool = Field(
        True,
        description="Refuse when the question names the tissue its stem cells come from outside the profile's source"
        " labels (\"MSCs taken from the gums\", \"urine-derived stem cells\") and no cited record names it"
        " (rag/answer/tissue_coverage.py; README 'Answers').",
    )
    intent_coverage: bool = Field(
        True,
        description="Refuse a question about a cell product that asks about regulation or about trials in patients"
        " when no cited record speaks of regulation or of patients (rag/answer/intent_coverage.py; README 'Answers').",
    )
    yes_no_single_record: bool = Field(
        True,
        description="Refuse a yes/no answer when no single cited record names everything the question names (product,"
        " stem cells, source, preconditioning, disease area); rag/answer/single_record.py; README 'Answers'.",
    )
    focus_coverage: bool = Field(
        True,
        description="Refuse a question about a cell product whose rare words (outside the profile's terms) no cited"
        " record names (rag/answer/focus_coverage.py; README 'Answers').",
    )
    named_answers: bool = Field(
        False,
        description="List answers open with the names the trained answer tagger reads in the evidence sentences"
        " the cross-encoder scored best, each cited to the record it was read in (off: on held-out BioASQ"
        " questions key-fact recall rose only .564 -> .571 and about half the names it gives are wrong; README).",
    )
    names_model: Path | None = Field(
        None, description="Int8 ONNX answer tagger file; default: the shipped rag/models/answer_spans model."
    )
    names_read: int = Field(
        6,
        ge=1,
        description="Evidence sentences the answer tagger reads (the cross-encoder's best; at most its pool; each"
        " costs about as much as a cross-encoder pair).",
    )
    names_min_score: float = Field(
        0.3, ge=0, le=1, description="Least confidence (tagger score times relevance, merged) for a name to be given."
    )
    names_max: int = Field(3, ge=1, description="Most names an answer opens with.")
    support_threshold: float = Field(
        0.5, ge=0, le=1, description="A cited sentence whose cited record has no passage above this is unsupported."
    )
    unsupported_citations: Literal["flag", "drop"] = Field(
        "flag", description="What to do with a sentence whose citation is unsupported (drop = strict mode)."
    )
    uncited_sentences: Literal["flag", "drop"] = Field("flag", description="What to do with a sentence left uncited.")
    lexical_weight: float = Field(0.35, ge=0, le=1, description="Share of word overlap in extractive sentence relevance.")
    rank_weight: float = Field(0.05, ge=0, description="Prior for the record's retrieval rank: weight / (1 + rank).")
    mmr_diversity: float = Field(0.3, ge=0, le=1, description="Weight of redundancy against relevance in MMR.")
    routing_floor: float = Field(0.35, description="Below this category score a question routes to `other`.")
    routing_cue_weight: float = Field(0.08, ge=0, description="Routing bonus per category cue term (three count).")
    llm: LLMSettings = Field(default_factory=LLMSettings)

    @field_validator("verdict_model", mode="before")
    @classmethod
    def _comma_separated_paths(cls, value: Any) -> Any:
        """One path or several, comma-separated, as an environment variable gives them."""
        if isinstance(value, str) and not value.lstrip().startswith("["):
            return [part.strip() for part in value.split(",") if part.strip()] or None
        return value


class IngestSettings(_Section):
    max_record_chars: int = Field(
        50_000,
        ge=1_000,
        description="Records whose title and abstract exceed this many characters are skipped (ingest and index);"
        " the longest abstract in the corpus snapshot has about 4,000.",
    )


class ApiSettings(_Section):
    host: str = Field("127.0.0.1", description="Interface `secretome-qa serve` binds.")
    port: int = Field(8000, ge=1, le=65535)
    admin_key: SecretStr | None = Field(None, description="API key required by admin endpoints (X-API-Key header).")
    max_body_bytes: int = Field(1_000_000, ge=1_000, description="Largest request body accepted (413 above).")
    max_question_chars: int = Field(2_000, ge=10, description="Longest question accepted (422 above).")
    rate_limit_per_minute: int = Field(120, ge=1, description="Requests per client per minute (429 above).")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS.")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Proxy addresses whose X-Forwarded-For / X-Forwarded-Proto are believed (uvicorn"
        " forwarded_allow_ips); empty: the client is always the peer address.",
    )
    workers: int = Field(1, ge=1, description="uvicorn worker processes for `serve`; the rate limit is shared.")
    rate_limit_max_clients: int = Field(
        10_000, ge=10, description="Clients the rate limiter tracks at once; the idlest are forgotten beyond."
    )
    max_upload_bytes: int = Field(
        200_000_000, ge=1_000, description="Largest admin upload (streamed to disk; 413 above)."
    )
    max_header_bytes: int = Field(16_384, ge=1_024, description="Largest request head, request line and headers (431 above).")
    max_headers: int = Field(100, ge=10, description="Most request headers (431 above).")
    max_path_chars: int = Field(8_192, ge=256, description="Longest URL path and query (414 above).")
    conversation_max_turns: int = Field(
        100, ge=2, description="Turns a conversation keeps; the oldest are dropped beyond (bounds storage and reloads)."
    )


class Settings(BaseSettings):
    """Everything configurable, in one place; sections are data only."""

    model_config = SettingsConfigDict(
        env_prefix="SECRETOME_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="forbid",
    )

    data_dir: Path = Field(Path("data"), description="Document store, indexes and caches live here.")
    corpus_path: Path = Field(
        DEFAULT_SHARED_CORPUS, description="Offline corpus `make run` ingests when NCBI is unreachable."
    )
    entrez: EntrezSettings = Field(default_factory=EntrezSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """New-style names win over old-style ones; the environment wins over `.env`."""
        env_file = dotenv_settings.env_file if hasattr(dotenv_settings, "env_file") else None
        return (
            init_settings,
            env_settings,
            LegacyEnvSource(settings_cls, env_file=None),
            NestedOnlyDotEnvSource(settings_cls, env_file=env_file),
            LegacyEnvSource(settings_cls, env_file=env_file, environ=False),
            file_secret_settings,
        )

    @property
    def store_path(self) -> Path:
        return self.data_dir / "store.sqlite"

    @property
    def conversations_path(self) -> Path:
        return self.data_dir / "conversations.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def cache_dir(self) -> Path:
        """What can be rebuilt from the rest (embeddings, router prototypes): safe to delete."""
        return self.data_dir / "cache"

    @property
    def ratelimit_path(self) -> Path:
        return self.data_dir / "ratelimit.sqlite"


MaybeSettings = Settings | dict[str, Any] | None


def get_settings(settings: MaybeSettings = None) -> Settings:
    """Accept a Settings, a dict of overrides, or None (environment and `.env`)."""
    if isinstance(settings, Settings):
        return settings
    return Settings(**(settings or {}))


def masked_settings(settings: Settings) -> dict[str, Any]:
    """Effective settings as JSON-ready data, secrets shown as `**********`."""
    return settings.model_dump(mode="json")
