"""Evidence profiles: synthetic records for every label, the dictionary file's rules, stored profiles that
follow the store, and agreement with real corpus records a person labelled by hand."""

import functools
import json
import random
from pathlib import Path

import pytest

from ingest.jsonl import read_jsonl
from ingest.records import MeshHeading, PubMedRecord
from ingest.store import DocumentStore
from rag.review.profile import TERMS_PATH, facet_labels, load_dictionaries, profile_record
from rag.review.profile_store import ProfileStore
from tests.conftest import CORPUS
from tests.rag.review.hand_checked import (
    HAND_CHECKED,
    HELD_OUT,
    LONG_REST,
    NEAR_TOPIC_SEED_23,
    NEAR_TOPIC_SEED_24,
    NEAR_TOPIC_SEED_25,
    NEAR_TOPIC_SEED_26,
    NEAR_TOPIC_SEED_27,
    OFF_TOPIC_SEED_19,
    OFF_TOPIC_SEED_20,
    OFF_TOPIC_SEED_21,
    OFF_TOPIC_SEED_22,
    REST_OF_POOL,
    SHORT_SEED_16,
    SHORT_SEED_17,
    SHORT_SEED_18,
    near_topic_pool,
)

FACETS = ("product", "source", "indication", "evidence", "preconditioning")


def synthetic(title: str, abstract: str = "", **fields: object) -> PubMedRecord:
    return PubMedRecord(pmid=fields.pop("pmid", "93000001"), title=f"Synthetic {title}", abstract=abstract, **fields)


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    [
        ("exosomes of bone marrow MSCs", "Synthetic BM-MSC exosomes reduced infarct size after myocardial infarction.",
         {"product": "exosomes", "source": "bone marrow", "indication": "cardiovascular"}),
        ("adipose stem cell conditioned medium", "Synthetic ADSC conditioned medium closed invented skin wounds.",
         {"product": "conditioned medium", "source": "adipose", "indication": "skin and wounds"}),
        ("Wharton's jelly MSC extracellular vesicles", "Synthetic EVs eased made-up acute lung injury and ARDS.",
         {"product": "extracellular vesicles", "source": "umbilical cord", "indication": "lung / COVID-19"}),
        ("placental secretome", "A synthetic placenta-derived secretome protected invented hepatocytes in liver failure.",
         {"product": "secretome", "source": "placental", "indication": "liver"}),
        ("cell-free amniotic fluid injections", "Synthetic cell-free amniotic fluid eased made-up knee osteoarthritis.",
         {"product": "cell-free amniotic fluid", "source": "amniotic", "indication": "musculoskeletal"}),
        ("dental pulp stem cell transplantation", "Synthetic DPSCs were transplanted into an invented spinal cord injury.",
         {"product": "whole cells", "source": "dental pulp", "indication": "neurological"}),
        ("menstrual blood stem cells", "Synthetic MenSCs restored made-up endometrium in premature ovarian failure.",
         {"source": "menstrual blood", "indication": "reproductive"}),
        ("iPSC-derived MSC exosomes", "Synthetic iPSC exosomes protected invented retina cells in glaucoma.",
         {"product": "exosomes", "source": "iPSC-derived", "indication": "eye"}),
        ("embryonic stem cell secretome", "Synthetic ESC secretome eased invented acute kidney injury.",
         {"product": "secretome", "source": "ESC-derived", "indication": "kidney"}),
        ("MSC extracellular vesicles in graft-versus-host disease", "Synthetic EVs reduced invented GVHD.",
         {"indication": "immune / inflammatory", "source": "unknown"}),
        ("a made-up protein structure", "Synthetic crystallography of an invented enzyme.",
         {"product": "not stated", "source": "unknown", "indication": "not stated", "preconditioning": []}),
    ],
)
def test_synthetic_records_get_the_labels_their_words_name(title, abstract, expected):
    profile = profile_record(synthetic(title, abstract))
    assert {k: getattr(profile, k) for k in expected} == expected


@pytest.mark.parametrize(
    ("title", "abstract", "product"),
    [
        ("outcomes of allogeneic stem cell transplantation", "Synthetic patients received stem cell transplantation.",
         "whole cells"),
        ("viral infection after allogeneic stem cell transplantation",
         "Synthetic infections within 100 days after allo-HSCT were counted.", "not stated"),
        ("exercise before transplant", "Synthetic patients trained prior to allogeneic stem cell transplantation.",
         "not stated"),
        ("a drug for myeloma", "Synthetic adults ineligible for autologous stem cell transplantation took a pill.",
         "not stated"),
        ("a kinase in tumours", "Synthetic signalling kept cancer stem cells and stem cell-like properties.",
         "not stated"),
        ("a gene in patient neurons", "Synthetic patient iPSCs were differentiated into neurons.", "whole cells"),
    ],
)
def test_a_stem_cell_transplant_is_a_product_only_where_it_is_the_subject(title, abstract, product):
    """Transplants named as the setting (before, after, ineligible for) and cancer stem cells make no cell product;
    the transplant studied and experiments on iPSCs do."""
    assert profile_record(synthetic(title, abstract)).product == product


@pytest.mark.parametrize(
    ("title", "abstract", "product"),
    [
        ("a kinase inhibitor in made-up leukaemia",
         ("Synthetic patients are often cured by allogeneic hematopoietic stem cell transplantation (HSCT); here an "
          "invented pill was given."), "not stated"),
        ("outcomes of allogeneic HCT in an invented lymphoma",
         "Synthetic registry data of the made-up cohort were analysed.", "whole cells"),
        ("an invented registry of made-up leukaemia",
         "Synthetic patients underwent allogeneic HCT; survival with allogeneic HCT was long.", "whole cells"),
        ("a made-up lung function test", "The synthetic hypoxic challenge test (HCT) was repeated; HCT results varied.",
         "not stated"),
        ("invented pneumonia in hematopoietic cell transplant recipients",
         "Synthetic recipients coughed; made-up steroids helped.", "not stated"),
        ("an invented drug as maintenance", "Synthetic relapse pre- or post-HCT was rarer with a made-up drug post-HCT.",
         "not stated"),
    ],
)
def test_a_transplant_is_the_product_where_the_title_names_it_or_the_abstract_repeats_it(title, abstract, product):
    """Version 2026.12.02-9 (tuned on NEAR_TOPIC_SEED_23 and _24 and a snapshot spot check): a stem cell transplant
    named once in the abstract is background (its abbreviation in brackets is the same mention); bare HCT or SCT
    name other things too, so only "allogeneic HCT", "allo-HCT" or "HSCT" count; transplant recipients, pre- and
    post-transplant name the setting."""
    assert profile_record(synthetic(title, abstract)).product == product


@pytest.mark.parametrize(
    ("title", "abstract", "product"),
    [
        ("a made-up gene in the neural stem cell niche",
         "Synthetic neural stem cells divided more in invented mice lacking the gene.", "not stated"),
        ("invented ageing of blood", "Synthetic expanded clones of hematopoietic stem and progenitor cells made blood.",
         "not stated"),
        ("made-up HSCs in the liver", "Synthetic activated HSCs laid down collagen in invented fibrosis.", "not stated"),
        ("an invented factor", "Synthetic neural progenitor cells were isolated and cultured with a made-up factor.",
         "whole cells"),
        ("made-up expansion", "Synthetic ex vivo expansion of cord blood stem cells with an invented molecule.",
         "whole cells"),
        ("invented edits", "Synthetic edited hematopoietic stem and progenitor cells resisted a made-up antibody.",
         "whole cells"),
        ("a made-up gene in ES cells", "Synthetic knockdown lowered Nanog in mouse ES cells.", "whole cells"),
        ("invented reprogramming", "Synthetic B cells were reprogrammed into induced pluripotent stem cells.",
         "whole cells"),
        ("an invented bioactive glass", "Synthetic human bone marrow derived stromal cells grew on made-up glass.",
         "whole cells"),
        ("invented cartilage repair", "Synthetic approaches include the use of chondrocytes, stem cells and scaffolds.",
         "whole cells"),
    ],
)
def test_other_stem_cells_are_whole_cells_only_as_the_material_studied(title, abstract, product):
    """Version 2026.12.02-9: MSCs (and tissue-sourced stromal cells), ES cells and iPSCs are whole cells wherever
    named; other stem, stromal or progenitor cells only where isolated, cultured, expanded ex vivo, edited,
    transplanted, used, or as lines and derived cells, not as tissue biology (a niche, clonal expansion in the
    body); HSCs and NPCs abbreviate other things too (hepatic stellate cells) and do not count."""
    assert profile_record(synthetic(title, abstract)).product == product


@pytest.mark.parametrize(
    ("title", "abstract", "source"),
    [
        ("made-up tumour cells", "Synthetic tumour cells and invented plasma samples were stained.", "unknown"),
        ("outcomes of autologous stem cell transplantation in an invented myeloma",
         "Synthetic autologous stem cell transplantation followed made-up induction.", "other"),
        ("a made-up gene in ES cells", "Synthetic knockdown lowered Nanog in mouse ES cells.", "ESC-derived"),
    ],
)
def test_the_source_is_the_products_and_a_haematopoietic_graft_is_other(title, abstract, source):
    """Version 2026.12.02-9: no product, no source (the off- and near-topic hand labels); stem cell transplants and
    haematopoietic stem cells are source "other"; "ES cells" name an ESC source."""
    assert profile_record(synthetic(title, abstract)).source == source


@pytest.mark.parametrize(
    ("title", "abstract", "facet", "expected"),
    [
        ("invented transplant outcomes",
         "Synthetic patients who underwent stem cell transplantation were retrospectively reviewed in a made-up registry.",
         "evidence", "other"),
        ("an invented stent", "A synthetic single arm evaluation of a made-up stent in invented veins.", "evidence",
         "human trial"),
        ("a made-up gene in Drosophila", "Synthetic flies lacking an invented gene had small wings.", "evidence", "animal"),
        ("a made-up gene in mouse embryonic stem cells", "Synthetic pluripotency fell.", "evidence", "in vitro"),
        ("an invented variant", "Synthetic cardiomyocytes were differentiated from made-up patient iPSCs.", "evidence",
         "in vitro"),
        ("invented myeloma", "Here we applied synthetic sequencing to 14 made-up biopsies of tumor cells.", "evidence",
         "other"),
        ("an invented osteosarcoma regimen", "Synthetic osteosarcoma in bone relapsed.", "indication", "other"),
        ("an invented antibody", "Synthetic hemophagocytic lymphohistiocytosis improved.", "indication",
         "immune / inflammatory"),
        ("an invented protector", "Synthetic blood counts fell after chemotherapy.", "indication", "other"),
    ],
)
def test_version_9_evidence_and_indication_cues(title, abstract, facet, expected):
    """Version 2026.12.02-9's cues (NEAR_TOPIC_SEED_23 and _24): retrospective, registry or database studies of
    patients given a cell product are no trials; "single arm" without a hyphen is a trial; flies, worms and embryos
    are animals, ES cells of a mouse and iPSC experiments are cell experiments; biopsies are people studied;
    bone cancers are oncology; HLH and autoinflammatory syndromes are immune; chemotherapy names a cancer."""
    assert getattr(profile_record(synthetic(title, abstract)), facet) == expected


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    [
        ("How I treat an invented leukaemia", "Synthetic patients are often given a made-up drug.", "review"),
        ("causes and consequences of a made-up syndrome", "Synthetic clones expand with age.", "review"),
        ("invented ageing", "Synthetic therapies are promising. In this chapter, we outline made-up options.", "review"),
        ("invented lineages", "Synthetic single-cell approaches have greatly expanded our knowledge of made-up clones.",
         "review"),
        ("a made-up factor", "Synthetic pluripotency genes rose in mESCs lacking an invented RNA.", "in vitro"),
        ("a made-up kinase", "Synthetic knockdown of an invented kinase restored differentiation.", "in vitro"),
        ("an invented RNA", "Synthetic transcripts rose in made-up RNA-overexpressing cells.", "in vitro"),
        ("an invented molecule", "Synthetic ex vivo expansion of made-up blood stem cells with a new molecule.", "in vitro"),
        ("invented DNA breaks", "A synthetic capture assay in made-up progenitor cells mapped breaks.", "in vitro"),
        ("invented stiffness", "Using synthetic patient derived organoids, we find made-up stem cells are stiffer.",
         "in vitro"),
        ("an invented drug in made-up MDS", "This synthetic phase 1b study tested a made-up pill.", "human trial"),
        ("an invented kinase inhibitor in made-up leukaemia",
         "Synthetic leukaemia is often treated with stem cell transplantation. Many patients relapse.", "other"),
        ("a made-up exercise programme", "In this synthetic single arm pilot trial, invented walking was tested.",
         "human trial"),
    ],
)
def test_version_10_evidence_cues(title, abstract, expected):
    """Version 2026.12.02-10's cues (tuned on NEAR_TOPIC_SEED_23, _24 and _25 only): "How I treat" titles, causes
    and consequences, chapters, perspectives and "expanded our knowledge" make reviews; experiments in mESCs or
    hESCs, knockdown of a gene, overexpressing cells, ex vivo expansion, assays in cells and organoids make cell
    experiments; a phase 1b study is a trial, and a trial read from words alone stays one where it is single-arm or
    open-label; a stem cell transplant named as standard care with patients somewhere after it is no trial."""
    assert profile_record(synthetic(title, abstract)).evidence == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Synthetic hypoxia-preconditioned MSCs secreted more VEGF.", ["hypoxia"]),
        ("Synthetic MSCs were cultured under hypoxic conditions (1% O2) before collecting exosomes.", ["hypoxia"]),
        ("Synthetic IFN-γ primed MSCs released exosomes with more IDO.", ["cytokine priming"]),
        ("Synthetic MSCs were primed with inflammatory cytokines before collection.", ["cytokine priming"]),
        ("Synthetic MSC spheroids in 3D culture secreted more TSG-6.", ["3D culture"]),
        ("Synthetic hypoxic injury of made-up endothelial cells was eased by MSCs.", []),
    ],
)
def test_preconditioning_is_read_from_how_cells_were_treated_not_from_the_injury(text, expected):
    assert profile_record(synthetic("record", text)).preconditioning == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Here we show that invented MSC exosomes carry a made-up microRNA into recipient cells.", "in vitro"),
        ("Our data demonstrate that synthetic EVs bind an invented receptor on endothelial cells.", "in vitro"),
        ("Synthetic exosomes were studied in co-culture with made-up macrophages.", "in vitro"),
        ("Here we show that invented EVs in the plasma of made-up patients predict relapse of cells.", "other"),
        ("We found that a made-up score predicted relapse in an invented registry.", "other"),
    ],
)
def test_a_record_reporting_its_own_cell_experiments_is_in_vitro_unless_it_studies_people(text, expected):
    assert profile_record(synthetic("record", text)).evidence == expected


def test_evidence_levels_group_study_types_with_trial_phase_and_nct_ids():
    trial = profile_record(synthetic("trial", "Synthetic MSC exosomes in an invented phase II trial (NCT04366063).",
                                     pub_types=["Clinical Trial, Phase II"]))
    assert (trial.evidence, trial.phase, trial.trial_ids) == ("human trial", "II", ["NCT04366063"])
    assert profile_record(synthetic("rats", "Synthetic EVs in rats.", mesh=[MeshHeading(descriptor="Rats")])).evidence == "animal"
    assert profile_record(synthetic("review", "", pub_types=["Review"])).evidence == "review"
    assert profile_record(synthetic("guidelines for EV reporting", "Synthetic consensus.")).evidence == "guideline"
    assert profile_record(synthetic("cells", "Synthetic MSCs were cultured in vitro.")).evidence == "in vitro"
    assert profile_record(synthetic("knockout", "Synthetic Scube2 -/- bones were short.")).evidence == "animal"


@pytest.mark.parametrize(
    ("title", "text", "mesh", "expected"),
    [
        ("needle counts for invented neck pain", "Synthetic patients were randomly assigned to two groups.", [],
         "human trial"),
        ("an invented risk score", "Synthetic patients were divided into two groups by their score.", [], "other"),
        ("made-up venous stents", "A prospective, single-arm synthetic study of an invented stent.", [], "human trial"),
        ("invented drug in mice", "Synthetic mice were randomly assigned to two groups.", [], "animal"),
        ("made-up thyroid cysts", "Synthetic patients were allocated to two groups and treated.",
         [MeshHeading(descriptor="Humans")], "human trial"),
        ("an invented microdeletion", "We report a case of a synthetic girl and discuss the gene's role.", [], "other"),
        ("invented disease in the era of RNA drugs", "Synthetic therapies have changed care.", [], "review"),
        ("adherence to made-up treatment guidelines", "Synthetic pharmacists were surveyed.", [], "other"),
    ],
)
def test_text_cues_read_the_design_where_publication_types_and_mesh_name_none(title, text, mesh, expected):
    """Version 2026.12.02-7's cues (hand_checked.py, OFF_TOPIC_SEED_21): a MeSH list of check tags such as
    "Humans" names no design, so the words still decide; people assigned to arms make a trial, people divided
    by a score do not (on the snapshot "divided into groups" was mostly observational); a case report that
    discusses is no review."""
    assert profile_record(synthetic(title, text, mesh=mesh)).evidence == expected


def test_mesh_headings_decide_the_indication_over_words():
    record = synthetic("exosomes and the heart", "Synthetic heart heart heart.", mesh=[MeshHeading(descriptor="Wound Healing")])
    assert profile_record(record).indication == "skin and wounds"


def test_the_dictionary_file_is_versioned_and_every_term_maps_to_a_known_label(tmp_path: Path):
    data = json.loads(TERMS_PATH.read_text())
    assert data["version"]
    dictionaries = load_dictionaries()
    assert facet_labels("source")[-1] == "unknown" and "other" in facet_labels("source")
    assert set(facet_labels("evidence")) == {"in vitro", "animal", "human trial", "review", "guideline", "other"}
    assert set(dictionaries.evidence_map.values()) <= set(dictionaries.evidence_labels)
    data["facets"]["product"]["terms"].append(["made-up term", "no such label"])
    broken = tmp_path / "terms.json"
    broken.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="unknown label 'no such label'"):
        load_dictionaries(broken)


def test_stored_profiles_follow_the_store_and_the_dictionary_version(tmp_path: Path):
    with DocumentStore(tmp_path / "store.sqlite") as store, ProfileStore(tmp_path / "profiles.sqlite") as profiles:
        store.upsert([synthetic("MSC exosomes", "Synthetic exosomes.", pmid="93000001"),
                      synthetic("adipose CM", "Synthetic ADSC conditioned medium.", pmid="93000002")])
        assert profiles.refresh(store) == 2
        assert profiles.refresh(store) == 0
        store.upsert([synthetic("adipose CM", "Synthetic ADSC conditioned medium in rats.", pmid="93000002")])
        assert profiles.refresh(store) == 1
        assert profiles.get_many(["93000002"])["93000002"].evidence == "animal"
        profiles._db.execute("UPDATE profiles SET version = 'older'")
        assert profiles.refresh(store) == 2
        assert set(profiles.get_many()) == {"93000001", "93000002"}


ALL_HAND_CHECKED = HAND_CHECKED + HELD_OUT + LONG_REST + SHORT_SEED_16 + SHORT_SEED_17 + SHORT_SEED_18 + REST_OF_POOL
OFF_TOPIC = OFF_TOPIC_SEED_19 + OFF_TOPIC_SEED_20 + OFF_TOPIC_SEED_21 + OFF_TOPIC_SEED_22


@functools.cache
def hand_checked_records() -> dict[str, PubMedRecord]:
    """The corpus records of every hand-checked PMID, read from the snapshot once per session."""
    wanted = {row[0] for row in ALL_HAND_CHECKED + OFF_TOPIC + NEAR_TOPIC_SEED_23 + NEAR_TOPIC_SEED_24 + NEAR_TOPIC_SEED_25
                + NEAR_TOPIC_SEED_26 + NEAR_TOPIC_SEED_27}
    records = {r.pmid: r for r in read_jsonl(CORPUS) if isinstance(r, PubMedRecord) and r.pmid in wanted}
    assert set(records) == wanted, f"hand-checked PMIDs missing from the corpus: {wanted - set(records)}"
    return records


def agreement(rows) -> tuple[dict[str, int], list[str]]:
    """Per facet, how many rows the profile labels as the person did; and a line per disagreement."""
    records = hand_checked_records()
    hits = dict.fromkeys(FACETS, 0)
    misses = []
    for pmid, *expected, why in rows:
        profile = profile_record(records[pmid])
        got = [profile.product, profile.source, profile.indication, profile.evidence,
               "+".join(profile.preconditioning) or "none"]
        for facet, want, have in zip(FACETS, expected, got, strict=True):
            hits[facet] += want == have
            if want != have:
                misses.append(f"{pmid} {facet}: hand {want!r}, profile {have!r} ({why})")
    return hits, misses


def assert_agreement(rows, floors: dict[str, int]) -> None:
    """Every facet agrees with the hand labels on at least its floor of `rows`; disagreements are printed."""
    hits, misses = agreement(rows)
    print("\n".join(misses))
    assert all(hits[f] >= floors[f] for f in FACETS), (hits, misses)


def test_profiles_agree_with_the_hand_checked_sample():
    """170 records labelled by hand, in six batches, each labelled before the dictionaries it was first
    checked against were run on it (see hand_checked.py); together they are every record of the on-topic pool.
    Measured with dictionary version 2026.12.02-9, all 170: product 160 (94%), source 158 (93%), indication
    155 (91%), evidence level 155 (91%), preconditioning 170 (all 'none': the snapshot has no preconditioned
    record; -8 had product 157, source 155; -7 product 156). Every batch but the last was tuned on after its
    first check, so these are in-sample figures; the floors below are what was measured."""
    assert len(ALL_HAND_CHECKED) == 170
    assert_agreement(
        ALL_HAND_CHECKED, {"product": 160, "source": 158, "indication": 155, "evidence": 155, "preconditioning": 170}
    )


def test_profiles_on_the_batches_labelled_blind():
    """The two batches first checked with version 2026.12.01-4. SHORT_SEED_18 (24 records) was labelled
    after the last change to -4 and not tuned on: product 24, source 18, indication 21, evidence level 18 with
    -4, evidence 19 with -5. REST_OF_POOL (25) was labelled before -4 was run on it: product 17, source 21,
    indication 18, evidence level 21 with -4; -5 added one evidence cue (`own_experiments`) after that check,
    so its 22 with -5 (23 with -7) is not blind. The closest this suite has to the accuracy on on-topic
    records nobody has read. Version -8 (tuned on NEAR_TOPIC_SEED_23 only): product 42, the rest unchanged;
    version -9 (tuned on the near-topic batches 23 and 24): product 45, source 42."""
    assert_agreement(
        SHORT_SEED_18 + REST_OF_POOL,
        {"product": 45, "source": 42, "indication": 39, "evidence": 42, "preconditioning": 49},
    )


def test_profiles_off_the_topic_labelled_blind():
    """OFF_TOPIC_SEED_22: 30 records outside the on-topic pool, labelled after version 2026.12.02-7 was fixed
    and checked once, not tuned on: product 29, source 26, indication 21 (70%), evidence level 24 (80%),
    preconditioning 30 (version -5 on the same rows: indication 20, evidence 22). Off the topic the evidence
    level misses reviews whose text never says so and cell work the cues do not name, and the indication
    follows organ words or finds none: the snapshot's map counts these records too. Version -9 (no product, no
    source): source 29, the rest unchanged."""
    assert_agreement(
        OFF_TOPIC_SEED_22, {"product": 29, "source": 29, "indication": 21, "evidence": 24, "preconditioning": 30}
    )


def test_profiles_near_the_topic_labelled_blind():
    """NEAR_TOPIC_SEED_25: 30 records outside the on-topic pool that name stem or progenitor cells, labelled
    before any version was run on them and not tuned on; version 2026.12.02-9 was fixed before its one check.
    Version -9: product 23 (77%), source 24 (80%), indication 24 (80%), evidence level 14 (47%),
    preconditioning 30; version -8 on the same rows: product 16, source 19, indication 24, evidence 11. Still
    missed: cells studied in words the rules do not name (CD34+ cells, CAR T cells, a review of stem cell
    models), untitled reviews and snippets with no design. Version -10 was tuned on this batch (evidence 14 -> 23),
    so its evidence figure is in-sample now."""
    assert_agreement(
        NEAR_TOPIC_SEED_25, {"product": 23, "source": 24, "indication": 24, "evidence": 23, "preconditioning": 30}
    )


def test_profiles_near_the_topic_on_the_latest_blind_batch():
    """NEAR_TOPIC_SEED_26: 24 near-topic records labelled before any version was run on them and not tuned on.
    Version 2026.12.02-9 (checked once): product 16, source 16, indication 20, evidence level 12 (50%),
    preconditioning 24; version -10 (tuned on NEAR_TOPIC_SEED_23, _24 and _25 only, fixed before its one check):
    the same figures, evidence level 12: the new cues did not help blind on this batch."""
    assert_agreement(
        NEAR_TOPIC_SEED_26, {"product": 16, "source": 16, "indication": 20, "evidence": 12, "preconditioning": 24}
    )


def test_profiles_near_the_topic_on_the_seed_27_blind_batch():
    """NEAR_TOPIC_SEED_27: 30 near-topic records labelled by hand (tenth session, a helper who did not read or run
    the profiler) before any version was run on them; version 2026.12.02-10 checked once, not tuned on: product 24,
    source 24, indication 22, evidence level 24 (80%), preconditioning 30. With seed 26 (the other blind batch of
    -10), near-topic blind: product 40, source 40, indication 42, evidence level 36 of 54."""
    assert_agreement(
        NEAR_TOPIC_SEED_27, {"product": 24, "source": 24, "indication": 22, "evidence": 24, "preconditioning": 30}
    )


def test_the_near_topic_batches_are_the_draws_their_comments_describe():
    """NEAR_TOPIC_SEED_24, _25, _26 and _27 are `random.Random(24)` to `(27)` samples of the near-topic pool
    without the lists labelled before them (449, 425, 395 and 371 records), so the blind batches can be drawn
    again."""
    records = [r for r in read_jsonl(CORPUS) if isinstance(r, PubMedRecord)]
    earlier = {row[0] for row in ALL_HAND_CHECKED + OFF_TOPIC + NEAR_TOPIC_SEED_23}
    pool = near_topic_pool(records, earlier)
    assert len(pool) == 449
    assert [r.pmid for r in random.Random(24).sample(pool, 24)] == [row[0] for row in NEAR_TOPIC_SEED_24]
    pool = near_topic_pool(records, earlier | {row[0] for row in NEAR_TOPIC_SEED_24})
    assert len(pool) == 425
    assert [r.pmid for r in random.Random(25).sample(pool, 30)] == [row[0] for row in NEAR_TOPIC_SEED_25]
    pool = near_topic_pool(records, earlier | {row[0] for row in NEAR_TOPIC_SEED_24 + NEAR_TOPIC_SEED_25})
    assert len(pool) == 395
    assert [r.pmid for r in random.Random(26).sample(pool, 24)] == [row[0] for row in NEAR_TOPIC_SEED_26]
    pool = near_topic_pool(records, earlier | {row[0] for row in NEAR_TOPIC_SEED_24 + NEAR_TOPIC_SEED_25 + NEAR_TOPIC_SEED_26})
    assert len(pool) == 371
    assert [r.pmid for r in random.Random(27).sample(pool, 30)] == [row[0] for row in NEAR_TOPIC_SEED_27]


def test_profiles_near_the_topic_on_the_second_batch_tuned_on():
    """NEAR_TOPIC_SEED_24: checked blind once with version 2026.12.02-8 (product 14 (58%), source 12,
    indication 18, evidence level 14, preconditioning 24 of 24; -7: product 13), then tuned on for -9 with
    NEAR_TOPIC_SEED_23: stem cells count only as the material studied, a transplant only where the title names
    it or the abstract repeats it, no product means no source, haematopoietic grafts are source "other".
    Version -9: product 23, source 23, indication 22, evidence 20 (in-sample); -10 (evidence cues): evidence 23."""
    assert_agreement(
        NEAR_TOPIC_SEED_24, {"product": 23, "source": 23, "indication": 22, "evidence": 23, "preconditioning": 24}
    )


def test_profiles_near_the_topic_on_the_batch_tuned_on():
    """NEAR_TOPIC_SEED_23: checked blind once with version 2026.12.02-7 (product 12 (40%), source 21,
    indication 25, evidence level 18, preconditioning 30 of 30), then tuned on for -8: a transplant named as the
    setting ("after", "before", "ineligible for" a stem cell transplant) and cancer stem cells make no product,
    iPSCs count as cells. Version -8: product 18, the rest unchanged; version -9 (tuned on it again, with
    NEAR_TOPIC_SEED_24): product 28, source 29, indication 26, evidence 24 (in-sample); -10: evidence 26."""
    assert_agreement(
        NEAR_TOPIC_SEED_23, {"product": 28, "source": 29, "indication": 26, "evidence": 26, "preconditioning": 30}
    )


def test_profiles_off_the_topic_on_the_batches_tuned_on():
    """The three earlier off-topic batches, each checked blind once and then tuned on (hand_checked.py says
    with which version): their figures now are in-sample, kept so a later change cannot lose them unseen.
    Version 2026.12.02-7: OFF_TOPIC_SEED_19 indication 16, evidence 14 of 20; OFF_TOPIC_SEED_20 source 28,
    indication 28, evidence 24 of 30; OFF_TOPIC_SEED_21 product 28, source 27, indication 24, evidence 20 of 30.
    Version -9, all 80: product 80, source 79 (-7 and -8: 78, 75), indication 68, evidence 58."""
    assert_agreement(
        OFF_TOPIC_SEED_19 + OFF_TOPIC_SEED_20 + OFF_TOPIC_SEED_21,
        {"product": 80, "source": 79, "indication": 68, "evidence": 58, "preconditioning": 80},
    )
