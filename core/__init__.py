"""Settings and the error taxonomy: the bottom of the import graph, imported by every stage."""
