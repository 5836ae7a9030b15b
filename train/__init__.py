"""Rebuild the small models shipped under ``rag/models/`` from ../shared, with fixed seeds.

``python -m train [relevance|verdict|question-kind|all] [--out DIR] [--seed 13]``

Modules: ``sources`` (reading ../shared), ``data`` (pure pair builders), ``negatives`` (BM25 hard
negatives), ``metrics`` (pure scores), ``trainer`` (sentence-transformers CrossEncoder fitting),
``export`` (int8 ONNX), ``card`` (model cards), and one orchestrating module per model.
Training needs torch, sentence-transformers, ``datasets`` and ``accelerate``; serving needs none of them.
"""
