"""Whether a record is on the project's topic, for the on-topic share `stats` reports."""

import re

from ingest.records import PubMedRecord

ON_TOPIC = re.compile(
    r"secretom|conditioned medi|extracellular vesicle|exosom|amniotic fluid|mesenchymal stem|mesenchymal stromal"
    r"|\bMSCs?\b|stem cell[- ]derived (?:factor|vesicle)|paracrine",
    re.IGNORECASE,
)


def is_on_topic(record: PubMedRecord) -> bool:
    return bool(ON_TOPIC.search(record.title) or ON_TOPIC.search(record.abstract))
