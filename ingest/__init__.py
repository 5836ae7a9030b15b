"""PubMed -> records -> the SQLite document store that every index is rebuilt from."""
