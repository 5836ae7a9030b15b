"""Biomedical tokenization for BM25: gene, miRNA, cytokine and trial names stay whole and also match by parts.

"TGF-β1" becomes `tgf-beta1` (the whole term), `tgfbeta1` (the spelling without hyphen), and its parts
`tgf` and `beta1`; plain words are lower-cased, stop-worded and Snowball-stemmed. Documents and queries go
through the same function, so "IL-6", "IL6" and "interleukin IL 6" meet on at least one token.
"""

import re
import unicodedata

from rag.text import STOPWORDS, StemmedTerms

TOKENIZER_VERSION = "bio-2"

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta", "η": "eta",
    "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi",
    "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "χ": "chi", "ψ": "psi",
    "ω": "omega",
}
DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")


_TERM = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def normalize(text: str) -> str:
    """Lower-case, fold compatibility characters, spell Greek letters out and unify dashes."""
    text = unicodedata.normalize("NFKC", text).translate(DASHES).lower()
    return "".join(GREEK.get(ch, ch) for ch in text)


class BioTokenizer:
    """Turns text into BM25 terms; one instance holds the stemmer and a memo of stemmed words."""

    def __init__(self) -> None:
        self._stems = StemmedTerms(STOPWORDS)

    def _word(self, word: str) -> str | None:
        if word in STOPWORDS or (len(word) == 1 and word.isalpha()):
            return None
        return self._stems.stem(word)

    def tokens(self, text: str) -> list[str]:
        """Terms of `text` in order; a hyphenated term yields itself, its joined spelling and its parts."""
        out: list[str] = []
        for term in _TERM.findall(normalize(text)):
            if "-" not in term:
                word = self._word(term)
                if word:
                    out.append(word)
                continue
            parts = term.split("-")
            out.append(term)
            out.append("".join(parts))
            out.extend(word for word in map(self._word, parts) if word)
        return out
