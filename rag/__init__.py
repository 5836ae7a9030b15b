"""Index, retrieve, answer, brief: everything between the document store and a cited answer."""
