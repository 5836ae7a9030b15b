"""Evidence profiles: synthetic records for every label, the dictionary file's rules, stored profiles that
follow the store, and agreement with real corpus records a person labelled by hand."""

import functools
import json
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
    OFF_TOPIC_SEED_19,
    OFF_TOPIC_SEED_20,
    OFF_TOPIC_SEED_21,
    OFF_TOPIC_SEED_22,
    REST_OF_POOL,
    SHORT_SEED_16,
    SHORT_SEED_17,
    SHORT_SEED_18,
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
    wanted = {row[0] for row in ALL_HAND_CHECKED + OFF_TOPIC + NEAR_TOPIC_SEED_23 + NEAR_TOPIC_SEED_24}
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
    Measured with dictionary version 2026.12.02-8, all 170: product 157 (92%), source 155 (91%), indication
    155 (91%), evidence level 155 (91%), preconditioning 170 (all 'none': the snapshot has no preconditioned
    record; -7 had product 156). Every batch but the last was tuned on after its first check, so these are in-sample figures; the
    floors below are what was measured."""
    assert len(ALL_HAND_CHECKED) == 170
    assert_agreement(
        ALL_HAND_CHECKED, {"product": 157, "source": 155, "indication": 155, "evidence": 155, "preconditioning": 170}
    )


def test_profiles_on_the_batches_labelled_blind():
    """The two batches first checked with version 2026.12.01-4. SHORT_SEED_18 (24 records) was labelled
    after the last change to -4 and not tuned on: product 24, source 18, indication 21, evidence level 18 with
    -4, evidence 19 with -5. REST_OF_POOL (25) was labelled before -4 was run on it: product 17, source 21,
    indication 18, evidence level 21 with -4; -5 added one evidence cue (`own_experiments`) after that check,
    so its 22 with -5 (23 with -7) is not blind. The closest this suite has to the accuracy on on-topic
    records nobody has read. Version -8 (tuned on NEAR_TOPIC_SEED_23 only): product 42, the rest unchanged."""
    assert_agreement(
        SHORT_SEED_18 + REST_OF_POOL,
        {"product": 42, "source": 40, "indication": 39, "evidence": 42, "preconditioning": 49},
    )


def test_profiles_off_the_topic_labelled_blind():
    """OFF_TOPIC_SEED_22: 30 records outside the on-topic pool, labelled after version 2026.12.02-7 was fixed
    and checked once, not tuned on: product 29, source 26, indication 21 (70%), evidence level 24 (80%),
    preconditioning 30 (version -5 on the same rows: indication 20, evidence 22). Off the topic the evidence
    level misses reviews whose text never says so and cell work the cues do not name, and the indication
    follows organ words or finds none: the snapshot's map counts these records too."""
    assert_agreement(
        OFF_TOPIC_SEED_22, {"product": 29, "source": 26, "indication": 21, "evidence": 24, "preconditioning": 30}
    )


def test_profiles_near_the_topic_labelled_blind():
    """NEAR_TOPIC_SEED_24: 24 records outside the on-topic pool that name stem or progenitor cells, labelled
    before any version was run on them and not tuned on. Version 2026.12.02-8: product 14 (58%), source 12,
    indication 18, evidence level 14, preconditioning 24 (version -7: product 13). The product facet still
    calls a record "whole cells" where stem cells are only background (a transplant named as what patients
    once had, a niche, a haematopoietic model); source and evidence miss transplants, snippets and
    data-analysis studies, which the dictionaries name no cue for."""
    assert_agreement(
        NEAR_TOPIC_SEED_24, {"product": 14, "source": 12, "indication": 18, "evidence": 14, "preconditioning": 24}
    )


def test_profiles_near_the_topic_on_the_batch_tuned_on():
    """NEAR_TOPIC_SEED_23: checked blind once with version 2026.12.02-7 (product 12 (40%), source 21,
    indication 25, evidence level 18, preconditioning 30 of 30), then tuned on for -8: a transplant named as the
    setting ("after", "before", "ineligible for" a stem cell transplant) and cancer stem cells make no product,
    iPSCs count as cells. Version -8: product 18, the rest unchanged (in-sample)."""
    assert_agreement(
        NEAR_TOPIC_SEED_23, {"product": 18, "source": 21, "indication": 25, "evidence": 18, "preconditioning": 30}
    )


def test_profiles_off_the_topic_on_the_batches_tuned_on():
    """The three earlier off-topic batches, each checked blind once and then tuned on (hand_checked.py says
    with which version): their figures now are in-sample, kept so a later change cannot lose them unseen.
    Version 2026.12.02-7: OFF_TOPIC_SEED_19 indication 16, evidence 14 of 20; OFF_TOPIC_SEED_20 source 28,
    indication 28, evidence 24 of 30; OFF_TOPIC_SEED_21 product 28, source 27, indication 24, evidence 20 of 30."""
    assert_agreement(
        OFF_TOPIC_SEED_19 + OFF_TOPIC_SEED_20 + OFF_TOPIC_SEED_21,
        {"product": 78, "source": 75, "indication": 68, "evidence": 58, "preconditioning": 80},
    )
