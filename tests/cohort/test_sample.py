"""Outcome coding, covariate recodes and the exclusion flow (study-spec §1.5-1.7)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from walkback.cohort.config import CodeSettings, CohortSettings, ExposureSettings, ModelSettings
from walkback.cohort.sample import DATA_COLUMNS, build_sample
from walkback.cohort.schema import DISEASE_COLUMNS, PARTICIPANT_COLUMNS
from walkback.cohort.tables import CohortInputs
from walkback.errors import SettingsError

NAN = np.nan


def _person(pid, **kw):
    row = {c.name: NAN for c in PARTICIPANT_COLUMNS}
    row.update(participant_id=pid, sex_code=0, age_years=50.0, education_code=3, income_code=3,
               work_status_code=1, smoking_code=0, hads_d_score=2, chronic_pain_t0=0,
               chronic_pain_t1=0, baseline_date=pd.Timestamp("2018-01-01"),
               followup_date=pd.Timestamp("2022-03-01"))
    row.update({d: 0.0 for d in DISEASE_COLUMNS})
    row.update(kw)
    return row


def _days(pid, kind="ok"):
    base = dict(participant_id=pid, lying_s=30000.0, sitting_s=40000.0, standing_s=9000.0,
                walk_slow_s=3000.0, walk_moderate_s=2000.0, walk_brisk_s=1000.0,
                walking_s=6000.0, running_s=0.0, cycling_s=0.0)
    if kind == "none":
        base = {k: (v if k == "participant_id" else NAN) for k, v in base.items()}
    if kind == "nowalk":
        base["standing_s"] = 0.0
    return [dict(base, day=d) for d in (1, 2)]


PEOPLE = [
    ("inc1", "ok", dict(sex_code=0, education_code=5, smoking_code=4, hads_d_score=7,
                        chronic_pain_t1=1, lumbar_pain_t1=1, leisure_limitation_t1=1,
                        bmi_alt_kg_m2=24.5, diabetes=1, work_type_code=2)),
    ("young", "none", dict(age_years=19.0)),  # also no valid day: counted at the age step
    ("nodays", "none", {}),
    ("nowalk", "nowalk", {}),
    ("msp0na", "ok", dict(chronic_pain_t0=NAN)),
    ("lbp0", "ok", dict(chronic_pain_t0=1, lumbar_pain_t0=1)),
    ("msp1na", "ok", dict(chronic_pain_t1=NAN)),
    ("incna", "ok", dict(income_code=NAN)),
    ("inc2", "ok", dict(sex_code=1, chronic_pain_t0=1, chronic_pain_t1=1, work_status_code=0,
                        smoking_code=3, education_code=1, bmi_kg_m2=31.0, cancer=NAN,
                        age_years=70.0)),
]


@pytest.fixture
def inputs():
    parts = pd.DataFrame([_person(pid, **kw) for pid, _, kw in PEOPLE])
    days = pd.DataFrame([r for pid, kind, _ in PEOPLE for r in _days(pid, kind)])
    return CohortInputs(days=days, participants=parts)


def test_flow_order_and_counts(inputs):
    s = build_sample(inputs)
    assert s.flow["step"].tolist()[:7] == [
        "All participants", "Age < 20 years", "No valid accelerometer day",
        "No valid walking day", "Missing chronic pain at baseline",
        "Chronic low back pain at baseline", "Missing chronic pain at follow-up"]
    assert s.flow["step"].iloc[7].startswith("Missing covariate (age_years, sex")
    assert s.flow["excluded"].tolist() == [0, 1, 1, 1, 1, 1, 1, 1]
    assert s.flow["remaining"].tolist() == [9, 8, 7, 6, 5, 4, 3, 2]
    assert s.data["participant_id"].tolist() == ["inc1", "inc2"]
    ev = s.everyone.set_index("participant_id")
    assert ev.loc["young", "excluded_at"] == "Age < 20 years"
    assert ev.loc["incna", "excluded_at"].startswith("Missing covariate")
    assert ev["included"].sum() == 2


def test_recodes(inputs):
    d = build_sample(inputs).data.set_index("participant_id")
    assert list(d.reset_index().columns[: len(DATA_COLUMNS)]) == list(DATA_COLUMNS)
    a, b = d.loc["inc1"], d.loc["inc2"]
    assert (a.sex, b.sex) == ("female", "male")
    assert (a.education3, b.education3) == ("university", "primary")
    assert (a.smoking, b.smoking) == ("former", "current")
    assert (a.depression, b.depression) == (1, 0)
    assert (a.employed, b.employed) == (1, 0)
    assert (a.lbp_t1, a.severe_lbp_t1) == (1, 1.0)
    # chronic pain at follow-up without the lumbar tick is "no LBP"
    assert (b.lbp_t1, b.severe_lbp_t1, b.msp_t0) == (0, 0.0, 1)
    assert (a.bmi, b.bmi) == (24.5, 31.0)  # gap filled from the second BMI variable
    assert a.chronic_disease == 1.0 and np.isnan(b.chronic_disease)
    assert (a.work_type, b.work_type) == (2.0, 0.0)  # missing + not employed -> 0
    assert (a.age65, b.age65) == (0, 1)
    assert a.followup_years == pytest.approx((pd.Timestamp("2022-03-01")
                                             - pd.Timestamp("2018-01-01")).days / 365)
    assert a.volume_min == pytest.approx(100.0) and a.valid_days_walk == 2
    for col in ("lbp_t1", "msp_t0", "education", "income", "employed", "depression", "age65"):
        assert d[col].dtype == np.int64


def test_codes_and_age_rule_are_configurable(inputs):
    s = CohortSettings(codes=CodeSettings(sex_female=1, sex_male=0),
                       exposure=ExposureSettings(min_age_years=0))
    out = build_sample(inputs, s)
    assert "Age < 20 years" not in out.flow["step"].tolist()
    assert out.data.set_index("participant_id").loc["inc1", "sex"] == "male"


def test_covariate_list_drives_complete_cases(inputs):
    s = CohortSettings(models=ModelSettings(covariates=("age_years", "sex"),
                                            categorical=("sex",)))
    assert "incna" in build_sample(inputs, s).data["participant_id"].tolist()
    bad = CohortSettings(models=ModelSettings(covariates=("age_years", "shoe_size")))
    with pytest.raises(SettingsError, match="shoe_size"):
        build_sample(inputs, bad)
