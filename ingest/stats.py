"""What the store holds, in the shape a review author reports it."""

from collections import Counter

from pydantic import BaseModel

from ingest.records import PubMedRecord
from ingest.store import DocumentStore
from ingest.topic import is_on_topic


class StoreStats(BaseModel):
    records: int
    by_source: dict[str, int]
    by_year: dict[str, int]
    by_pub_type: dict[str, int]
    abstract_complete: int
    abstract_partial: int
    on_topic: int
    on_topic_share: float
    retracted: int


def store_stats(store: DocumentStore) -> StoreStats:
    sources: Counter[str] = Counter()
    years: Counter[str] = Counter()
    pub_types: Counter[str] = Counter()
    complete = on_topic = retracted = total = 0
    for source, year, data in store.stats_rows():
        record = PubMedRecord.model_validate_json(data)
        total += 1
        sources.update(source.split(","))
        years[str(year) if year else "unknown"] += 1
        pub_types.update(record.pub_types or ["(none)"])
        complete += record.abstract_complete
        on_topic += is_on_topic(record)
        retracted += record.retracted
    return StoreStats(
        records=total,
        by_source=dict(sources.most_common()),
        by_year=dict(sorted(years.items())),
        by_pub_type=dict(pub_types.most_common()),
        abstract_complete=complete,
        abstract_partial=total - complete,
        on_topic=on_topic,
        on_topic_share=round(on_topic / total, 4) if total else 0.0,
        retracted=retracted,
    )
