"""The field's abbreviations, spelled out in a query before it is searched.

Researchers ask about "MSC exosomes", "EVs" and "CM"; abstracts spell a term out once and abbreviate it
after, and the embedding model reads a bare "MSC" as noise ("Do MSC exosomes carry microRNAs?" retrieved
definitions of exosomes in general). The query keeps its words and gains the long forms in brackets at its
end, for BM25 and for the dense vector alike. Only retrieval sees the spelled-out query: the answer stage reads the
question as it was asked.

The list is the vocabulary of the seed review's topics (cell sources, products, regulation) and the
indications the evidence profiles name, written from the field's usage, not fitted to any question set.
Keys match as whole words, case-sensitively (so "cm" as centimetres or "mi" never match), with an optional
plural "s", also inside hyphenated terms ("MSC-derived", "BM-MSCs").
"""

import re

LONG_FORMS: dict[str, str] = {
    # cells and their sources
    "MSC": "mesenchymal stem cell",
    "hMSC": "human mesenchymal stem cell",
    "BM-MSC": "bone marrow mesenchymal stem cell",
    "BMSC": "bone marrow mesenchymal stem cell",
    "AD-MSC": "adipose-derived mesenchymal stem cell",
    "ADSC": "adipose-derived stem cell",
    "UC-MSC": "umbilical cord mesenchymal stem cell",
    "hUC-MSC": "human umbilical cord mesenchymal stem cell",
    "WJ-MSC": "Wharton's jelly mesenchymal stem cell",
    "AFSC": "amniotic fluid stem cell",
    "hAFSC": "human amniotic fluid stem cell",
    "AEC": "amniotic epithelial cell",
    "DPSC": "dental pulp stem cell",
    "SHED": "stem cells from human exfoliated deciduous teeth",
    "iPSC": "induced pluripotent stem cell",
    "hiPSC": "human induced pluripotent stem cell",
    "ESC": "embryonic stem cell",
    "hESC": "human embryonic stem cell",
    # products and their contents
    "EV": "extracellular vesicle",
    "sEV": "small extracellular vesicle",
    "CM": "conditioned medium",
    "miRNA": "microRNA",
    "lncRNA": "long non-coding RNA",
    # manufacturing and regulation
    "GMP": "good manufacturing practice",
    "ATMP": "advanced therapy medicinal product",
    "ISEV": "International Society for Extracellular Vesicles",
    "MISEV": "minimal information for studies of extracellular vesicles",
    "ISCT": "International Society for Cell and Gene Therapy",
    # indications
    "ARDS": "acute respiratory distress syndrome",
    "GVHD": "graft-versus-host disease",
    "AKI": "acute kidney injury",
    "BPD": "bronchopulmonary dysplasia",
    "NEC": "necrotizing enterocolitis",
    "SCI": "spinal cord injury",
    "TBI": "traumatic brain injury",
    "IPF": "idiopathic pulmonary fibrosis",
    "DFU": "diabetic foot ulcer",
    "OA": "osteoarthritis",
}

_ABBREVIATION = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(k) for k in sorted(LONG_FORMS, key=len, reverse=True)) + r")s?(?!\w)"
)


def spell_out(query: str) -> str:
    """`query` followed by the long forms of its abbreviations in brackets, each once, in order of use;
    unchanged when it has none (or already spells them out)."""
    long_forms = dict.fromkeys(LONG_FORMS[match[1]] for match in _ABBREVIATION.finditer(query))
    missing = [form for form in long_forms if form.lower() not in query.lower()]
    return f"{query} ({'; '.join(missing)})" if missing else query
