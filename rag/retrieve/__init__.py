"""Read time: a query -> candidates from each retriever -> fused, filtered, re-ranked evidence records."""
