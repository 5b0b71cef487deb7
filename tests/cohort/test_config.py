"""Cohort settings: defaults, TOML loading, rejection of unknown keys and bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from walkback.cohort.config import CohortSettings, ModelSettings
from walkback.errors import SettingsError
from walkback.study_settings import load_study_settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_defaults_are_the_study():
    s = load_study_settings(None).cohort
    assert s.exposure.met_weights == (2.8, 3.8, 4.8)
    assert s.exposure.min_age_years == 20
    m = s.models
    assert m.covariates == (
        "age_years", "sex", "education", "income", "employed", "smoking", "depression",
    )
    assert m.age_covariates == ("age_years",)
    assert m.spline_percentiles == (10.0, 50.0, 90.0)
    assert m.stata_small_sample is True
    assert s.codes.smoking_former == (1, 4)


def test_load_cohort_table_and_the_deprecated_top_level(tmp_path):
    q = tmp_path / "d.toml"
    q.write_text('[cohort]\nlayout = "wide"\n[cohort.models]\ncovariates = ["age_years"]\n')
    s = load_study_settings(q).cohort
    assert s.layout == "wide" and s.models.covariates == ("age_years",)
    p = tmp_path / "c.toml"  # an older cohort config: its keys at the top level
    p.write_text('layout = "long"\n[exposure]\nmet_weights = [3.0, 4.0, 5.0]\n')
    with pytest.warns(DeprecationWarning, match=r"under a \[cohort\] table"):
        s = load_study_settings(p).cohort
    assert s.layout == "long" and s.exposure.met_weights == (3.0, 4.0, 5.0)


def test_unknown_key_is_rejected_with_its_name(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[cohort.exposure]\nmet_weight = [3.0, 4.0, 5.0]\n")
    with pytest.raises(SettingsError, match=r"c.toml \[cohort.exposure\]: unknown.*met_weight"):
        load_study_settings(p)


@pytest.mark.parametrize(
    "text",
    [
        '[cohort]\nlayout = "diagonal"\n',
        "[cohort.exposure]\nmet_weights = [3.0, 4.0]\n",
        '[cohort.exposure]\nmet_weights = [3.0, "4", 5.0]\n',
        "[cohort.codes]\nsex_female = 1\nsex_male = 1\n",
        "[cohort.codes]\nsex_female = 1.5\n",
        "[cohort.models]\nspline_percentiles = [50.0, 10.0, 90.0]\n",
        '[cohort.models]\nage_covariates = ["age65"]\n',
        '[cohort.models]\nstata_small_sample = "yes"\n',
        '[cohort.wide.patterns]\nlying_s = "LyTm_NT4ActMX"\n',
        '[cohort.columns_days]\nA = "lying_s"\nB = "lying_s"\n',
        '[cohort.columns_days]\nA = 3\n',
    ],
)
def test_bad_values_are_settings_errors(tmp_path, text):
    p = tmp_path / "c.toml"
    p.write_text(text)
    with pytest.raises(SettingsError, match=r"c.toml \[cohort"):
        load_study_settings(p)


def test_hunt_example_config_loads_and_maps_every_hunt_name():
    s = load_study_settings(DOCS / "cohort-config-hunt.toml").cohort
    assert s.layout == "wide"
    assert s.wide.id_column == "PID_114165"
    assert s.wide.patterns["walking_s"] == "WalkTmD{day}_NT4ActMX"
    hunt = {
        "PID_114165", "PartDat_NT4BLM", "PartDat_NT4CovQ", "Sex", "PartAg_NT4BLM",
        "Bmi_NT4BLM", "BmiEld_NT4BLM", "Educ_NT4BLQ1", "IncoTot_NT4BLQ1", "WorCu_NT4BLI",
        "SmoStat_NT4BLQ1", "HADSDepr_NT4BLQ2", "WorTyp_NT4BLI", "MSPaLY_NT4BLQ2",
        "MSPaLum_NT4BLQ2", "MSPaLY_NT4CovQ", "MSPaLum_NT4CovQ", "Healt_NT4BLQ1",
        "MSPaChrL4W_NT4BLQ1", "MSPaLeiLim_NT4CovQ", "ExeF_NT4BLQ1", "ActDN_NT4BLM",
    }
    assert hunt <= set(s.columns_participants)
    diseases = [k for k in s.columns_participants if k.endswith("Ev_NT4BLQ1")]
    assert len(diseases) == 7


def test_model_settings_is_frozen():
    m = ModelSettings()
    with pytest.raises(AttributeError):
        m.max_iter = 3  # type: ignore[misc]
    assert CohortSettings().models == m


def test_hunt_docs_file_is_the_generated_config():
    from walkback.cohort.config import hunt_config_toml, hunt_settings

    assert (DOCS / "cohort-config-hunt.toml").read_text() == hunt_config_toml()
    assert load_study_settings(DOCS / "cohort-config-hunt.toml").cohort == hunt_settings()
