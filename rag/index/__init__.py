"""Index time: records -> chunks -> vectors (Chroma) and BM25 terms, with the manifest that names what built them."""
