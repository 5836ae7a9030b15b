"""The curated secretome sets against the real corpus, and the loader's validation of FORMAT.md."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from core.errors import InputError, ParseError
from eval.questionset import CURATED_SET, load_questions
from rag.retrieve.abbreviations import LONG_FORMS
from tests.conftest import CORPUS, SHARED

TOPICAL = ("mechanisms", "sources", "trials", "regulatory")
# Written on 2026-12-03 from on-topic records no other set uses, before the change it first measured was run on it.
ANSWERABLE_HELD_OUT = CURATED_SET.with_name("answerable-heldout.jsonl")
# Written on 2026-12-04 from the on-topic records still unused, before the focus-term rule was run on it.
ANSWERABLE_HELD_OUT_2 = CURATED_SET.with_name("answerable-heldout-2.jsonl")
# Written on 2026-12-04: facts of records other sets use, each asked twice, spelled out and as researchers type.
PHRASINGS = CURATED_SET.with_name("phrasings.jsonl")
# Written on 2026-12-04 (sixth session) from on-topic records, reuse of other sets' gold records allowed, before any
# new code ran on it; about half its questions are phrased in the seed review's vocabulary.
ANSWERABLE_HELD_OUT_3 = CURATED_SET.with_name("answerable-heldout-3.jsonl")
# Written on 2026-12-04 (sixth session, later) from on-topic records, blind: mostly records no set used, asked for facts
# no existing question asks, before any code ran on it.
ANSWERABLE_HELD_OUT_4 = CURATED_SET.with_name("answerable-heldout-4.jsonl")
# Written on 2026-12-04 (sixth session, last) from on-topic records, blind: nine of its fourteen are yes/no questions as
# a review author asks them (five "no"), before any code ran on it.
ANSWERABLE_HELD_OUT_5 = CURATED_SET.with_name("answerable-heldout-5.jsonl")
# Written on 2026-12-04 (seventh session) from on-topic records, blind: twelve of its sixteen ask about records no set
# used, seven are yes/no questions (four "no"), before any code ran on it.
ANSWERABLE_HELD_OUT_6 = CURATED_SET.with_name("answerable-heldout-6.jsonl")
# Written on 2026-12-04 (seventh session, later) from on-topic records, blind: everyday, loosely worded questions, nine of
# sixteen paraphrased away from their records' words (lay terms, synonyms), six yes/no (three "no"), before any code ran.
ANSWERABLE_HELD_OUT_7 = CURATED_SET.with_name("answerable-heldout-7.jsonl")
# Written on 2026-12-04 for the next session from on-topic records, blind, and committed before any run on it: eight
# yes/no questions (four "yes", four "no", the "no" carried by a negation, a scope, a stated gap or a selective cargo) and
# eight factoid or list questions whose key facts are short terms of a gold record.
ANSWERABLE_HELD_OUT_8 = CURATED_SET.with_name("answerable-heldout-8.jsonl")
# Written blind by a helper who ran no answer code, kept for judging a change to yes/no verdicts: twenty yes/no questions
# (ten "yes", ten "no"), one record each, none of them gold in any other set.
ANSWERABLE_HELD_OUT_9 = CURATED_SET.with_name("answerable-heldout-9.jsonl")
# Written blind like the ninth, by a helper who ran no answer code, for judging a retrained yes/no verdict model: twenty
# yes/no questions (ten "yes", ten "no"), one record each, none of them gold in any other set.
ANSWERABLE_HELD_OUT_10 = CURATED_SET.with_name("answerable-heldout-10.jsonl")
# Written blind by a helper who ran no answer code, kept for judging a change to which records and sentences an answer
# cites: twenty questions (sixteen factoid or list, four yes/no: two "yes", two "no"), one record each, none of them gold
# in any other set.
ANSWERABLE_HELD_OUT_11 = CURATED_SET.with_name("answerable-heldout-11.jsonl")
# Written blind like the tenth, by a helper who ran no answer code, kept for judging one change to how yes/no verdicts
# are decided: twenty yes/no questions (ten "yes", ten "no"), one record each, none of them gold in any other set.
ANSWERABLE_HELD_OUT_12 = CURATED_SET.with_name("answerable-heldout-12.jsonl")
ANSWERABLE_SETS = (CURATED_SET, ANSWERABLE_HELD_OUT, ANSWERABLE_HELD_OUT_2, PHRASINGS, ANSWERABLE_HELD_OUT_3,
                   ANSWERABLE_HELD_OUT_4, ANSWERABLE_HELD_OUT_5, ANSWERABLE_HELD_OUT_6, ANSWERABLE_HELD_OUT_7,
                   ANSWERABLE_HELD_OUT_8, ANSWERABLE_HELD_OUT_9, ANSWERABLE_HELD_OUT_10, ANSWERABLE_HELD_OUT_11,
                   ANSWERABLE_HELD_OUT_12)


@pytest.fixture(scope="module")
def curated():
    return load_questions(CURATED_SET)


@pytest.fixture(scope="module", params=ANSWERABLE_SETS, ids=lambda path: path.stem)
def question_set(request):
    """Each set of answerable questions written from the corpus, held to the same rules."""
    return load_questions(request.param)


@pytest.fixture(scope="module")
def gold_texts(shared_dir) -> dict[str, str]:
    wanted = {pmid for path in ANSWERABLE_SETS for q in load_questions(path).questions
              for pmid in q.gold_pmids}
    texts: dict[str, str] = {}
    with CORPUS.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["pmid"] in wanted:
                texts[record["pmid"]] = f"{record['title']} {record['abstract']}".lower()
    return texts


def test_curated_set_has_the_promised_shape(curated):
    answerable = Counter(q.category for q in curated.questions if q.answerable)
    unanswerable = [q for q in curated.questions if not q.answerable]
    assert {q.category for q in curated.questions} <= set(TOPICAL)
    assert sum(answerable.values()) >= 40, answerable
    assert all(answerable[c] >= 8 for c in TOPICAL), answerable
    assert len(unanswerable) >= 8
    assert all(not q.gold_pmids and not q.key_facts for q in unanswerable)
    assert sum(q.exact_answer == "yes" for q in curated.questions) >= 3
    assert sum(q.exact_answer == "no" for q in curated.questions) >= 2


def test_answerable_questions_have_gold_facts_and_an_ideal_answer(question_set):
    for q in question_set.questions:
        if q.answerable:
            assert q.gold_pmids and q.key_facts and q.ideal_answer, q.id


def test_every_gold_pmid_is_in_the_corpus(question_set, gold_texts):
    missing = {(q.id, p) for q in question_set.questions for p in q.gold_pmids if p not in gold_texts}
    assert not missing


def test_every_key_fact_phrasing_occurs_in_a_gold_record(question_set, gold_texts):
    absent = [
        (q.id, phrase)
        for q in question_set.questions
        for fact in q.key_facts
        for phrase in fact
        if not any(phrase.lower() in gold_texts[p] for p in q.gold_pmids)
    ]
    assert not absent


def _shingles(text: str, n: int = 7) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_questions_and_ideal_answers_are_not_pasted_from_their_records(question_set, gold_texts):
    """Seven words in a row shared with a gold record means a sentence was copied, not paraphrased."""
    copied = [
        (q.id, field)
        for q in question_set.questions
        for field in ("question", "ideal_answer")
        for pmid in q.gold_pmids
        if _shingles(getattr(q, field) or "") & _shingles(gold_texts[pmid])
    ]
    assert not copied


def test_the_phrasings_set_asks_each_fact_spelled_out_then_abbreviated():
    questions = load_questions(PHRASINGS).questions
    abbreviation = re.compile(r"\b(?:" + "|".join(map(re.escape, LONG_FORMS)) + r")s?\b")
    assert len(questions) >= 16 and len(questions) % 2 == 0
    for spelled, typed in zip(questions[::2], questions[1::2], strict=True):
        assert (spelled.gold_pmids, spelled.key_facts, spelled.exact_answer) == (
            typed.gold_pmids, typed.key_facts, typed.exact_answer), typed.id
        assert abbreviation.search(typed.question) and len(typed.question) < len(spelled.question), typed.id
        assert not abbreviation.search(spelled.question), spelled.id


@pytest.mark.parametrize(("path", "at_least"),
                         [(ANSWERABLE_HELD_OUT, 20), (ANSWERABLE_HELD_OUT_2, 12), (ANSWERABLE_HELD_OUT_9, 20),
                          (ANSWERABLE_HELD_OUT_10, 20), (ANSWERABLE_HELD_OUT_11, 20), (ANSWERABLE_HELD_OUT_12, 20)],
                         ids=lambda value: getattr(value, "stem", str(value)))
def test_the_held_out_answerable_sets_ask_about_records_no_other_set_uses(path, at_least):
    held_out = load_questions(path).questions
    others = {p for other in CURATED_SET.parent.glob("*.jsonl") if other != path and other.stem != "followups"
              for q in load_questions(other).questions for p in q.gold_pmids}
    assert len(held_out) >= at_least and all(q.answerable and q.key_facts for q in held_out)
    assert not {p for q in held_out for p in q.gold_pmids} & others


@pytest.mark.parametrize("path", [ANSWERABLE_HELD_OUT_9, ANSWERABLE_HELD_OUT_10, ANSWERABLE_HELD_OUT_12],
                         ids=lambda path: path.stem)
def test_the_yes_no_held_out_sets_are_balanced_on_one_record_each(path):
    questions = load_questions(path).questions
    verdicts = Counter(q.exact_answer for q in questions)
    categories = Counter(q.category for q in questions)
    records = [p for q in questions for p in q.gold_pmids]
    assert len(questions) == 20 and verdicts == {"yes": 10, "no": 10}, verdicts
    assert set(categories) == set(TOPICAL) and min(categories.values()) >= 3, categories
    assert len(records) == len(set(records)) == len(questions)
    assert all(q.ideal_answer.startswith(("Yes. ", "No. ")) and q.ideal_answer.startswith(q.exact_answer.title())
               for q in questions)


UNANSWERABLE_SET = CURATED_SET.with_name("unanswerable.jsonl")
# What each held-out unanswerable question asks about (its product or source) and the detail it asks for:
# no snapshot record names both, which is what makes the question unanswerable here.
ABSENT_PAIRS = {
    "una-01": (r"exosom|extracellular vesicle", r"infarct"),
    "una-02": (r"exosom|extracellular vesicle|secretome", r"ototox"),
    "una-03": (r"secretome|conditioned medi|exosom", r"erectile"),
    "una-04": (r"amniotic", r"necrotizing enterocolitis|necrotising enterocolitis"),
    "una-05": (r"exosom|extracellular vesicle|secretome", r"bronchopulmonary dysplasia"),
    "una-06": (r"exosom|extracellular vesicle", r"intra-articular|intraarticular"),
    "una-07": (r"exosom|extracellular vesicle|secretome", r"potency assay"),
    "una-08": (r"conditioned medi|secretome|exosom|extracellular vesicle", r"advanced therapy medicinal|ATMP"),
    "una-09": (r"exosom|extracellular vesicle|secretome", r"lyophili|freeze-dr"),
    "una-10": (r"menstrual", r"ovar"),
    "una-11": (r"exosom|extracellular vesicle", r"bioreactor"),
    "una-12": (r"dental pulp|secretome", r"optic nerve crush|optic nerve"),
    "una-13": (r"exosom|extracellular vesicle|secretome", r"psoria"),
    "una-14": (r"amniotic", r"plantar fasci"),
    "una-15": (r"exosom|extracellular vesicle|secretome", r"miR-210"),
    "una-16": (r"exosom|extracellular vesicle|secretome", r"lupus nephritis|proteinuria"),
    "una-17": (r"secretome|conditioned medi|exosom|extracellular vesicle", r"amyotrophic|ALS patients"),
    "una-18": (r"exosom|extracellular vesicle", r"release criteria|ISCT"),
    "una-19": (r"exosom|extracellular vesicle|secretome", r"carbon tetrachloride|CCl4|CCl\(4\)"),
    "una-20": (r"conditioned medi|secretome|exosom|extracellular vesicle", r"cornea|alkali burn"),
    "una-21": (r"exosom|extracellular vesicle", r"freeze-thaw|freeze thaw"),
    "una-22": (r"exosom|extracellular vesicle|secretome|conditioned medi", r"alopecia|hair"),
}


# The second held-out set, written on 2026-12-02 after the first had been read for its failures and before
# the product-coverage refusal was run on it.
UNANSWERABLE_SET_2 = CURATED_SET.with_name("unanswerable-2.jsonl")
ABSENT_PAIRS_2 = {
    "unb-01": (r"exosom|extracellular vesicle", r"tinnitus"),
    "unb-02": (r"secretome|conditioned medi", r"shelf life|shelf-life"),
    "unb-03": (r"exosom|extracellular vesicle", r"snake|venom"),
    "unb-04": (r"exosom|extracellular vesicle", r"dry eye"),
    "unb-05": (r"secretome|conditioned medi|exosom|extracellular vesicle", r"spinal muscular atrophy"),
    "unb-06": (r"menstrual", r"foot ulcer"),
    "unb-07": (r"exosom|extracellular vesicle", r"PMDA|conditional approval|conditional and time-limited"),
    "unb-08": (r"dental pulp", r"periodont.{0,200}(dog|canine)|(dog|canine).{0,200}periodont"),
    "unb-09": (r"exosom|extracellular vesicle", r"endotoxin"),
    "unb-10": (r"placenta", r"chemotherapy-induced ovarian|premature ovarian"),
    "unb-12": (r"amniotic", r"tendin|tendon"),
    "unb-13": (r"wharton", r"lupus"),
    "unb-14": (r"secretome|conditioned medi", r"pressure ulcer|pressure injur"),
}

# The third held-out set, written on 2026-12-04 before the facet-coverage refusal (rag/answer/coverage.py) or
# any other code was run on it; the rule had been designed on the curated set, the first two held-out sets
# and the BioASQ train and validation splits.
UNANSWERABLE_SET_3 = CURATED_SET.with_name("unanswerable-3.jsonl")
ABSENT_PAIRS_3 = {
    "unc-01": (r"exosom|extracellular vesicle", r"hypoxi"),
    "unc-02": (r"amniotic", r"osteoarthritis|knee"),
    "unc-03": (r"menstrual blood|menstrual stem|menstrual-blood", r"liver|hepat"),
    "unc-04": (r"vesic|exosom", r"interferon-gamma|interferon-γ|IFN-γ|IFN-gamma|IFNγ"),
    "unc-05": (r"secretome|conditioned medi", r"bronchiolitis obliterans"),
    "unc-06": (r"exosom|extracellular vesicle", r"spinal cord"),
    "unc-07": (r"secretome|conditioned medi|exosom|extracellular vesicle", r"dry eye"),
    "unc-08": (r"exosom|extracellular vesicle", r"tangential flow"),
    "unc-09": (r"exosom|extracellular vesicle", r"type 1 diabetes|T1D"),
    "unc-10": (r"secretome|conditioned medi", r"spheroid|three-dimensional|3D culture"),
    "unc-11": (r"conditioned medi|secretome|dental pulp", r"sciatic"),
    "unc-12": (r"exosom|extracellular vesicle", r"sterility"),
    "unc-13": (r"exosom|extracellular vesicle", r"collagen-induced arthritis"),
    "unc-14": (r"amniotic", r"diabetic foot"),
    "unc-15": (r"secretome|conditioned medi", r"pancreatitis"),
    "unc-16": (r"amniotic", r"FDA|Food and Drug Administration"),
}
# Written and committed on 2026-12-04 before the focus-term rule (rag/answer/focus_coverage.py) ran on it; that
# rule had been designed on 20 questions of my own, the curated set and the earlier held-out sets.
UNANSWERABLE_SET_4 = CURATED_SET.with_name("unanswerable-4.jsonl")
ABSENT_PAIRS_4 = {
    "unf-01": (r"exosom|extracellular vesicle", r"neointima"),
    "unf-02": (r"secretome|conditioned medi|exosom|extracellular vesicle", r"photoreceptor|retinitis pigmentosa"),
    "unf-03": (r"exosom|extracellular vesicle|secretome", r"endotoxin"),
    "unf-04": (r"secretome|conditioned medi|exosom|extracellular vesicle", r"glaucoma|retinal ganglion"),
    "unf-05": (r"exosom|extracellular vesicle", r"lncRNA|long non-coding|long noncoding"),
    "unf-06": (r"exosom|extracellular vesicle", r"immunogenic"),
    "unf-07": (r"exosom|extracellular vesicle|secretome|conditioned medi", r"alopecia|hair"),
    "unf-08": (r"exosom|extracellular vesicle", r"intranasal"),
    "unf-09": (r"exosom|extracellular vesicle", r"ferroptosis"),
    "unf-10": (r"umbilical|Wharton", r"microglia"),
    "unf-11": (r"secretome|conditioned medi|exosom|extracellular vesicle", r"cryoprotect|trehalose|DMSO"),
    "unf-12": (r"amniotic", r"cornea"),
    "unf-13": (r"exosom|extracellular vesicle|secretome", r"bioreactor"),
    "unf-14": (r"exosom|extracellular vesicle|secretome", r"pulmonary arterial hypertension|pulmonary hypertension|monocrotaline"),
    "unf-15": (r"secretome|conditioned medi|exosom|extracellular vesicle", r"periodont"),
    "unf-16": (r"exosom|extracellular vesicle|secretome", r"intervertebral|nucleus pulposus"),
}
# Written and committed on 2026-12-04 (sixth session) before any new code ran on it: about half are the broad
# questions a review author asks (cell-free versus cell therapy, paracrine factors of a named source, dose,
# manufacturing, cost, safety in humans, trial outcomes, FDA approval), the rest a product with a disease or model.
UNANSWERABLE_SET_5 = CURATED_SET.with_name("unanswerable-5.jsonl")
_CELL_FREE = (r"secretome|conditioned medi|cell-free (therap|treatment|approach|option|product|strateg|biologic)"
              r"|acellular (product|biologic|therap)|exosom|extracellular vesicle")
_PRODUCT = r"exosom|extracellular vesicle|secretome|conditioned medi"
ABSENT_PAIRS_5 = {
    "unh-01": (_PRODUCT + r"|paracrine|mesenchymal|\bMSCs?\b|stem cell|stromal cell",
               r"bleomycin|pulmonary fibrosis|lung fibrosis|idiopathic pulmonary"),
    "unh-02": (_CELL_FREE, r"FDA|Food and Drug|approv|licens|marketing authori"),
    "unh-03": (r"amniotic", r"covid|sars-cov|coronavirus"),
    "unh-04": (_PRODUCT, r"neuropathic|allodynia|hyperalgesia|nerve injur"),
    "unh-05": (r"secretome|conditioned medi",
               r"dose|dosage|dosing|protein content|cell.equivalent|normali[sz]|standardi"),
    "unh-06": (r"amniotic fluid|amniotic-fluid|\bAFSC",
               r"stem cell|stromal|mesenchymal|progenitor|secretome|conditioned medi|paracrine"),
    "unh-07": (_PRODUCT + r"|vesicle|paracrine|secreted factor|mesenchymal|\bMSCs?\b",
               r"neuroprotect|neuronal survival|neuron.{0,30}(protect|surviv)"),
    "unh-08": (_PRODUCT, r"graft-versus-host|graft versus host|GVHD"),
    "unh-09": (_CELL_FREE, r"\bcosts?\b|cost-effective|costly|cheap|inexpensive|expens|econom|price|afford"),
    "unh-10": (_PRODUCT, r"atopic dermatitis|eczema"),
    "unh-11": (_PRODUCT, r"volunteer|first-in-human|first in human|phase (I|1)\b|dose.escalat|adverse event"),
    "unh-12": (r"induced pluripotent|iPSC|iPS cell|iPS-|\biPS\b",
               r"secretome|conditioned medi|exosom|extracellular vesicle|paracrine"),
    "unh-13": (_PRODUCT, r"osteopor|ovariectom|bone loss"),
    "unh-14": (r"secretome|conditioned medi|exosom|extracellular vesicle",
               (r"GMP|good manufacturing|clinical.grade|scale-up|scal(e|ing) up|large.scale|industrial|manufactur"
                r"|bioprocess|bioreactor")),
    "unh-15": (_PRODUCT, r"asherman|intrauterine adhesion|endometri"),
    "unh-16": (_PRODUCT, r"ureteral obstruction|\bUUO\b|renal fibrosis|kidney fibrosis"),
}

# Written and committed on 2026-12-04 (sixth session, later) blind, before any code ran on it: a named product or
# source (amniotic fluid stem cells, Zofin, MSC secretome, exosomes, EVs, placental or cord MSCs) with a detail no
# snapshot record names with it; subjects and details are written wide (vesicle, paracrine, stem cell).
UNANSWERABLE_SET_6 = CURATED_SET.with_name("unanswerable-6.jsonl")
_SECRETED = r"exosom|extracellular vesicle|\bEVs?\b|vesicle|secretome|conditioned medi|paracrine|secreted factor"
_MSC = r"mesenchymal|\bMSCs?\b|stromal cell"
ABSENT_PAIRS_6 = {
    "uni-01": (r"amniotic", r"hypox|low.oxygen|oxygen tension|normox|anoxi|\bO2\b|oxygen"),
    "uni-02": (r"amniotic|zofin|zeo scien", r"cytokine|chemokine|growth factor"),
    "uni-03": (_SECRETED + "|" + _MSC + r"|stem cell", r"\bburn(s|ed)?\b"),
    "uni-04": (_SECRETED, r"mycoplasma"),
    "uni-05": (r"exosom|vesicle|\bEVs?\b",
               r"particle.to.protein|particles? per|protein ratio|particle (number|count|concentration)"),
    "uni-06": (_SECRETED + "|" + _MSC, r"asthma|airway hyperrespons|airway inflamm|allergic airway"),
    "uni-07": (_SECRETED + "|" + _MSC, r"parkinson|dopamin|substantia nigra|6-OHDA|MPTP"),
    "uni-08": (_SECRETED, r"umbilical|wharton"),
    "uni-09": (_SECRETED + "|" + _MSC + r"|stem cell",
               r"wrinkle|photoag|skin aging|skin ageing|skin rejuvenat|cosmetic|cosmeceutic|aesthetic|anti-aging|anti-ageing"),
    "uni-10": (_SECRETED + "|" + _MSC, r"multiple sclerosis|demyelinat|encephalomyelitis|\bEAE\b"),
    "uni-11": (_SECRETED, (r"HCT/P|\b361\b|\b351\b|biologics licen|\bBLA\b|tissue product|\bbiologics?\b|medicinal product"
                           r"|drug product|minimally manipulated")),
    "uni-12": (_CELL_FREE + r"|\bEVs?\b|vesicle",
               r"tumorigen|tumourigen|malignant transform|tumou?r formation|oncogen|cancer risk"),
    "uni-13": (_SECRETED + "|" + _MSC, r"acute lung injur|lung injur|\bARDS\b|acute respiratory distress"),
    "uni-14": (r"placent", r"exosom|vesicle|\bEVs?\b|secretome|conditioned medi|paracrine"),
}

# Written and committed on 2026-12-04 (sixth session, last) blind, before any code ran on it: ten of its fourteen are
# "Have/Do/Does ..." questions; each pairs MSCs or their secreted products (subject written wide: any vesicle, secretome,
# paracrine or secreted factor, MSC or stromal cell) with a disease, model, factor, donor trait or regulator that the
# snapshot names only in records about other things.
UNANSWERABLE_SET_7 = CURATED_SET.with_name("unanswerable-7.jsonl")
_MSC_OR_SECRETED = _SECRETED + "|" + _MSC
# The same subject with any stem cell besides (unanswerable-8's urine-derived stem cells, the later sets' lay wording).
_ANY_STEM_OR_SECRETED = _MSC_OR_SECRETED + r"|stem cell"
ABSENT_PAIRS_7 = {
    "unj-01": (_MSC_OR_SECRETED,
               r"stroke|cerebral ischemi|cerebral ischaemi|brain ischemi|brain ischaemi|middle cerebral artery|\bMCAO\b"),
    "unj-02": (_MSC_OR_SECRETED, r"traumatic brain|brain injur|\bTBI\b|brain trauma|head injur|concussion"),
    "unj-03": (_MSC_OR_SECRETED, r"hepatocyte growth factor|\bHGF\b|scatter factor"),
    "unj-04": (_MSC_OR_SECRETED, r"TSG-6|TSG6|TNF-stimulated gene|TNFAIP6|TNF-inducible gene 6|necrosis factor-inducible gene 6"),
    "unj-05": (_MSC_OR_SECRETED, r"duchenne|muscular dystroph|dystrophin|\bmdx\b"),
    "unj-06": (_MSC_OR_SECRETED,
               r"retinopath|diabetic retin|retinal (vascul|leak|neovascul)|macular edema|macular oedema"),
    "unj-07": (_MSC_OR_SECRETED, (r"liver failure|hepatic failure|acute liver|fulminant|acetaminophen|paracetamol"
                                  r"|galactosamine|liver injur|hepatic injur")),
    "unj-08": (_MSC_OR_SECRETED, r"osteonecrosis|avascular necrosis|femoral head|necrosis of the femoral"),
    "unj-09": (_MSC_OR_SECRETED, r"\bhorses?\b|equine|\bpon(y|ies)\b|canine|\bdogs?\b|feline|\bcats?\b|veterinar"),
    "unj-10": (_MSC_OR_SECRETED, r"\bCOPD\b|chronic obstructive|emphysema|cigarette smoke|smoke exposure"),
    "unj-11": (_MSC_OR_SECRETED, r"\bsex\b|gender|female donor|male donor|sex-specific|sex differen"),
    "unj-12": (_MSC_OR_SECRETED, r"korea|\bMFDS\b"),
    "unj-13": (_MSC_OR_SECRETED, r"quality attribute|\bCQAs?\b|specification"),
    "unj-14": (_MSC_OR_SECRETED,
               r"preeclampsia|pre-eclampsia|eclampsia|gestational hypertension|hypertensive disorders of pregnancy"),
}

# Written and committed on 2026-12-04 (seventh session) blind, before any code ran on it: MSCs or their secreted
# products (subject written wide, as in ABSENT_PAIRS_7) with a disease, factor, regulator, culture supplement, route,
# donor trait or product class that no snapshot record names with them; twelve are yes/no-shaped.
UNANSWERABLE_SET_8 = CURATED_SET.with_name("unanswerable-8.jsonl")
ABSENT_PAIRS_8 = {
    "unk-01": (_MSC_OR_SECRETED, r"sj[oö]gren|sialadenitis|salivary gland hypofunction|xerostomia|dry mouth"),
    "unk-02": (_MSC_OR_SECRETED, r"prostaglandin|\bPGE2\b|PGE\(2\)|cyclooxygenase|\bCOX-?2\b"),
    "unk-03": (_MSC_OR_SECRETED, r"indoleamine|\bIDO\b|kynurenine|tryptophan"),
    "unk-04": (_MSC_OR_SECRETED, r"china|chinese|\bNMPA\b|\bCFDA\b|national medical products"),
    "unk-05": (_MSC_OR_SECRETED, (r"platelet lysate|fetal bovine serum|foetal bovine serum|\bFBS\b|\bFCS\b|fetal calf"
                                  r"|xeno-free|xenofree|serum-free|serum free|animal-free|culture supplement")),
    "unk-06": (_MSC_OR_SECRETED, r"inhal|nebuli[sz]|aerosol|intratracheal|airway delivery"),
    "unk-07": (_MSC_OR_SECRETED, r"miR-146|microRNA-146|mir146"),
    "unk-08": (_MSC_OR_SECRETED, r"\bHLA\b|histocompatib|\bMHC\b|alloimmun|allosensiti"),
    "unk-09": (_ANY_STEM_OR_SECRETED,
               r"urine-derived stem|urine stem cell|urinary stem cell|urine-derived (mesenchymal|stromal)|urine-derived cells"),
    "unk-10": (_ANY_STEM_OR_SECRETED, r"venous (leg )?ulcer|leg ulcer|venous insufficiency|chronic venous"),
    "unk-11": (_MSC_OR_SECRETED, r"medical device|device regulation|class III|combination product"),
    "unk-12": (_MSC_OR_SECRETED, r"stanniocalcin|\bSTC-?1\b"),
    "unk-13": (_ANY_STEM_OR_SECRETED, r"keloid|hypertrophic scar|scar formation|scarring|\bscars?\b"),
    "unk-14": (_MSC_OR_SECRETED, r"crohn|fistula|perianal"),
}

# Written and committed on 2026-12-04 (seventh session, later) blind, before any code ran on it: MSCs, stem cells or their
# secreted products (subject written wide: any vesicle, secretome, paracrine or secreted factor, MSC, stromal or stem
# cell) with a disease, factor, preconditioning, targeting, tissue source, product parameter, regulator or payer that no
# snapshot record names with them; many are asked in lay words ("high blood pressure", "fat-derived").
UNANSWERABLE_SET_9 = CURATED_SET.with_name("unanswerable-9.jsonl")
ABSENT_PAIRS_9 = {
    "unl-01": (_ANY_STEM_OR_SECRETED, r"hypertens|blood pressure|antihypertens|\bRAAS\b|angiotensin"),
    "unl-02": (_ANY_STEM_OR_SECRETED, (r"cerebral palsy|hypoxic.isch(a)?emic|neonatal encephalopathy|\bHIE\b|birth asphyxia"
                                       r"|perinatal asphyxia|neonatal brain injur|perinatal brain injur")),
    "unl-03": (_ANY_STEM_OR_SECRETED, r"macular|\bAMD\b|geographic atrophy|retinal pigment epitheli|\bRPE\b"),
    "unl-04": (_ANY_STEM_OR_SECRETED, r"rotator cuff|supraspinatus|shoulder|tendon-to-bone|tendon-bone|tendon to bone|enthes"),
    "unl-05": (_ANY_STEM_OR_SECRETED, r"melatonin"),
    "unl-06": (_ANY_STEM_OR_SECRETED, r"keratinocyte growth factor|\bKGF\b|FGF-?7\b|fibroblast growth factor.7"),
    "unl-07": (_ANY_STEM_OR_SECRETED, r"vitamin D|calcitriol|cholecalciferol|1,25-dihydroxy|\bVDR\b"),
    "unl-08": (_ANY_STEM_OR_SECRETED, (r"\bRVG\b|rabies virus glycoprotein|Lamp2b|targeting peptide|targeting ligand"
                                       r"|brain-targeting|brain targeting|surface-engineer|surface engineer|surface modif|decorat")),
    "unl-09": (_ANY_STEM_OR_SECRETED, r"tonsil"),
    "unl-10": (_ANY_STEM_OR_SECRETED, r"periost"),
    "unl-11": (_ANY_STEM_OR_SECRETED, r"zeta potential|zeta-potential|ζ-potential|surface charge"),
    "unl-12": (_ANY_STEM_OR_SECRETED, r"\bMHRA\b|medicines and healthcare|united kingdom|\bUK\b|britain|british|england"),
    "unl-13": (_ANY_STEM_OR_SECRETED, (r"hospital exemption|compassionate|unproven|unlicensed|direct-to-consumer"
                                       r"|stem cell tourism|clinics? (sell|offer|market)|unapproved|for-profit|warning letter")),
    "unl-14": (_ANY_STEM_OR_SECRETED, (r"reimburs|insurance|insurer|health technology assessment|payer|coverage decision"
                                       r"|out-of-pocket")),
}

# Written and committed on 2026-12-04 for the next session, blind, before any code ran on it: MSCs, stem cells or their
# secreted products (subject written as wide as ABSENT_PAIRS_9; unm-14 adds amniotic and placental sources) with a
# pathway, source, disease, kind of study, shipping condition, regulator or donor consent that no snapshot record names
# with them; seven are yes/no-shaped.
UNANSWERABLE_SET_10 = CURATED_SET.with_name("unanswerable-10.jsonl")
ABSENT_PAIRS_10 = {
    "unm-01": (_ANY_STEM_OR_SECRETED, r"autophag|\bLC3|beclin|mitophag|\bATG\d"),
    "unm-02": (_ANY_STEM_OR_SECRETED, r"NLRP3|inflammasome|pyroptos|caspase-1|gasdermin"),
    "unm-03": (_ANY_STEM_OR_SECRETED, (r"Nrf2|NFE2L2|nuclear factor erythroid|heme oxygenase|haem oxygenase|\bHO-1\b|Keap1"
                                       r"|antioxidant response element")),
    "unm-04": (_ANY_STEM_OR_SECRETED, r"neutrophil extracellular trap|\bNETs\b|NETosis"),
    "unm-05": (_ANY_STEM_OR_SECRETED, r"chorion|chorionic|chorio-?decidua|fetal membrane|foetal membrane"),
    "unm-06": (_ANY_STEM_OR_SECRETED, r"gingiv|gum tissue|\bgums\b"),
    "unm-07": (_ANY_STEM_OR_SECRETED,
               r"liposuction|lipoaspirat|lipo-aspirat|fat harvest|fat graft|abdominoplast|adipose harvest"),
    "unm-08": (_ANY_STEM_OR_SECRETED, r"huntington|huntingtin|polyglutamine|\bR6/2\b|3-nitropropionic|quinolinic"),
    "unm-09": (_ANY_STEM_OR_SECRETED, r"influenza|\bH1N1|\bH5N1|\bH7N9|\bH9N2|\bflu\b|orthomyxo"),
    "unm-10": (_ANY_STEM_OR_SECRETED, r"myasthen|acetylcholine receptor antibod|neuromuscular junction"),
    "unm-11": (_ANY_STEM_OR_SECRETED, r"meta-analys|meta analys|metaanalys|systematic review|pooled analysis|pooled data"),
    "unm-12": (_ANY_STEM_OR_SECRETED, (r"room temperature|ambient temperature|\bshipping\b|\bshipment|cold chain"
                                       r"|transport(ation)? (temperature|condition)")),
    "unm-13": (_ANY_STEM_OR_SECRETED, r"\bindia\b|\bindian\b|CDSCO|central drugs standard"),
    "unm-14": (_ANY_STEM_OR_SECRETED + r"|amniotic|placent", r"informed consent|\bconsent"),
}

# Written blind by a helper who ran no answer code, kept for judging one change to when the service refuses: MSCs, stem
# cells or their secreted products (subject as wide as ABSENT_PAIRS_10) with a disease model, pathway, species, trial
# outcome, dose, storage or manufacturing condition, regulator's requirement or one of five unusual tissue sources that
# no snapshot record names with them.
UNANSWERABLE_SET_11 = CURATED_SET.with_name("unanswerable-11.jsonl")
ABSENT_PAIRS_11 = {
    "unn-01": (_ANY_STEM_OR_SECRETED, (r"polycystic|\bPCOS\b|hyperandrogen|anovulat|ovulat|letrozole-induced"
                                       r"|dehydroepiandrosterone|\bDHEA\b")),
    "unn-02": (_ANY_STEM_OR_SECRETED, r"TLR-?4|toll-like receptor.4|MyD88"),
    "unn-03": (_ANY_STEM_OR_SECRETED, (r"lung-resident|lung resident|lung-derived|lung mesenchymal|pulmonary mesenchymal"
                                       r"|lung MSC|lung-MSC|lung stromal|lung tissue-derived")),
    "unn-04": (_ANY_STEM_OR_SECRETED, r"fat pad|infrapatellar|hoffa"),
    "unn-05": (_ANY_STEM_OR_SECRETED, r"decidua"),
    "unn-06": (_ANY_STEM_OR_SECRETED, (r"hair follicle|hair-follicle|dermal papilla|plucked hair|hair root|outer root sheath"
                                       r"|bulge stem|follicle stem")),
    "unn-07": (_ANY_STEM_OR_SECRETED, r"apical papilla|\bSCAPs?\b|root apex|developing root|immature root"),
    "unn-08": (_ANY_STEM_OR_SECRETED, r"temporomandibular|\bTMJ\b|condyl|jaw joint"),
    "unn-09": (_ANY_STEM_OR_SECRETED, r"\bsheep\b|ovine|\blambs?\b|\bewes?\b"),
    "unn-10": (_ANY_STEM_OR_SECRETED, (r"WOMAC|KOOS|western ontario|lequesne|knee injury and osteoarthritis outcome"
                                       r"|pain score|visual analog|\bVAS\b|patient-reported")),
    "unn-11": (_ANY_STEM_OR_SECRETED, (r"maximum tolerated|maximal tolerated|tolerated dose|\bMTD\b|dose-limiting"
                                       r"|dose limiting|dose.escalat|highest dose|dose-finding|dose finding")),
    "unn-12": (_ANY_STEM_OR_SECRETED, (r"residual DNA|host.cell DNA|host.cell protein|residual (host|protein)|impurit"
                                       r"|DNA content|process-related|DNA contamin")),
    "unn-13": (_ANY_STEM_OR_SECRETED, (r"4 ?°C|4 ?ºC|4 ?degrees|refrigerat|\+ ?4 ?°|fridge|2-8 ?°C|2–8 ?°C|2 to 8"
                                       r"|cold storage")),
    "unn-14": (_ANY_STEM_OR_SECRETED, (r"molecular weight cut|MWCO|kDa|ultrafiltrat|centrifugal filter|amicon|diafiltrat"
                                       r"|cut-off membrane|cutoff membrane")),
}


def records_naming_both(absent_pairs: dict[str, tuple[str, str]]) -> dict[str, list[str]]:
    """question id -> snapshot PMIDs whose title and abstract match both the subject and the detail."""
    pairs = {qid: (re.compile(a, re.IGNORECASE), re.compile(b, re.IGNORECASE)) for qid, (a, b) in absent_pairs.items()}
    any_subject = re.compile("|".join(sorted({a for a, _ in absent_pairs.values()})), re.IGNORECASE)
    found: dict[str, list[str]] = {}
    with CORPUS.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            text = f"{record['title']} {record['abstract']}"
            if not any_subject.search(text):
                continue
            for qid, (subject, detail) in pairs.items():
                if subject.search(text) and detail.search(text):
                    found.setdefault(qid, []).append(record["pmid"])
    return found


@pytest.mark.parametrize(
    ("path", "absent_pairs", "known"),
    [
        # una-10's two records are about ovarian hormones and the menstrual cycle, not menstrual blood cells
        (UNANSWERABLE_SET, ABSENT_PAIRS, {"una-10": ["26305889", "26653113"]}),
        (UNANSWERABLE_SET_2, ABSENT_PAIRS_2, {}),
        (UNANSWERABLE_SET_3, ABSENT_PAIRS_3, {}),
        (UNANSWERABLE_SET_4, ABSENT_PAIRS_4, {}),
        (UNANSWERABLE_SET_5, ABSENT_PAIRS_5, {}),
        (UNANSWERABLE_SET_6, ABSENT_PAIRS_6, {}),
        (UNANSWERABLE_SET_7, ABSENT_PAIRS_7, {}),
        (UNANSWERABLE_SET_8, ABSENT_PAIRS_8, {}),
        (UNANSWERABLE_SET_9, ABSENT_PAIRS_9, {}),
        (UNANSWERABLE_SET_10, ABSENT_PAIRS_10, {}),
        (UNANSWERABLE_SET_11, ABSENT_PAIRS_11, {}),
    ],
)
def test_the_held_out_unanswerable_sets_ask_what_no_snapshot_record_holds(shared_dir, path, absent_pairs, known):
    """eval/questions/unanswerable*.jsonl, written on 2026-12-02 and 2026-12-04 and never used to fit or choose
    anything; a record naming both the question's subject and its detail would make it answerable."""
    questions = load_questions(path).questions
    assert [q.id for q in questions] == list(absent_pairs)
    assert all(not q.answerable and q.category in TOPICAL for q in questions)
    assert records_naming_both(absent_pairs) == known


def test_the_bioasq_dev_set_loads_with_the_same_loader(shared_dir):
    dev = load_questions(SHARED / "eval" / "bioasq-dev.jsonl")
    assert len(dev) == 1968
    assert all(c.startswith("bioasq-") for c in dev.category_counts())
    assert load_questions(SHARED / "eval" / "bioasq-dev.jsonl", limit=200).questions == dev.questions[:200]


SYNTHETIC = {
    "id": "syn-1",
    "question": "Synthetic question about a made-up secretome factor?",
    "category": "mechanisms",
    "answerable": True,
    "gold_pmids": ["1"],
    "key_facts": [["factor x"]],
    "ideal_answer": "Synthetic answer.",
    "exact_answer": None,
}


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps(SYNTHETIC | {"id": "syn-2", "answerable": "sometimes"}), "answerable"),
        (json.dumps({k: v for k, v in SYNTHETIC.items() if k != "question"} | {"id": "syn-2"}), "question"),
        (json.dumps(SYNTHETIC | {"id": "syn-2", "gold_pmids": ["PMC12"]}), "digits"),
        (json.dumps(SYNTHETIC | {"id": "syn-2", "exact_answer": "maybe"}), "exact_answer"),
        (json.dumps(SYNTHETIC | {"id": "syn-2", "key_facts": [[]]}), "key fact 0"),
        (json.dumps(SYNTHETIC | {"id": "syn-2", "surprise": 1}), "surprise"),
        (json.dumps(SYNTHETIC | {"id": "syn-2", "answerable": False}), "unanswerable"),
        (json.dumps(SYNTHETIC), "already used on line 1"),
    ],
)
def test_a_bad_line_is_a_parse_error_naming_file_and_line(tmp_path, bad_line, expected):
    path = write_lines(tmp_path / "set.jsonl", [json.dumps(SYNTHETIC), "", bad_line])
    with pytest.raises(ParseError) as caught:
        load_questions(path)
    assert f"{path}:3" in str(caught.value)
    assert expected in str(caught.value)


def test_missing_empty_and_bad_limit_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_questions(tmp_path / "absent.jsonl")
    with pytest.raises(InputError, match="holds no question"):
        load_questions(write_lines(tmp_path / "empty.jsonl", ["", "  "]))
    with pytest.raises(InputError, match="at least 1"):
        load_questions(CURATED_SET, limit=0)


def test_limit_and_summary(tmp_path):
    lines = [json.dumps(SYNTHETIC | {"id": f"syn-{i}", "category": c}) for i, c in enumerate(["a", "b", "a"])]
    unanswerable = {"id": "syn-x", "question": "Synthetic unanswerable?", "category": "b", "answerable": False}
    lines.append(json.dumps(unanswerable))
    full = load_questions(write_lines(tmp_path / "set.jsonl", lines))
    assert full.summary() | {"file": None} == {
        "file": None,
        "name": "set",
        "count": 4,
        "answerable": 3,
        "unanswerable": 1,
        "yesno": 0,
        "by_category": {"a": 2, "b": 2},
    }
    assert [q.id for q in load_questions(full.path, limit=2).questions] == ["syn-0", "syn-1"]
