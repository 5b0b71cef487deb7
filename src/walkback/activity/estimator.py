"""``ActivityClassifier``: the scikit-learn-shaped face of the activity stage.

``fit`` trains with the recipe and returns ``self`` (learned model in ``model_``); ``predict``
returns the activity-epochs table of a :class:`walkback.signal.Prepared`; ``predict_proba`` the
class probabilities of feature rows. No logic in ``__init__``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from walkback.activity.classify import classify
from walkback.activity.model import Model, load_default_model
from walkback.activity.settings import ActivitySettings, TrainSettings
from walkback.errors import NotFittedError

if TYPE_CHECKING:
    from walkback.activity.datasets import LabelledSegment


class ActivityClassifier:
    """Activity classifier (thigh, optionally + back). See :mod:`walkback.activity`."""

    def __init__(self, train_settings: TrainSettings | None = None,
                 settings: ActivitySettings | None = None) -> None:
        self.train_settings = train_settings
        self.settings = settings

    def fit(self, segments: list[LabelledSegment]) -> ActivityClassifier:
        """Train on labelled segments (:mod:`walkback.activity.datasets`); returns ``self``."""
        from walkback.activity.train import fit

        self.model_ = fit(segments, self.train_settings or TrainSettings())
        return self

    @classmethod
    def pretrained(cls, settings: ActivitySettings | None = None) -> ActivityClassifier:
        """A classifier holding the shipped, checksum-verified model."""
        est = cls(settings=settings)
        est.model_ = load_default_model()
        return est

    def _model(self) -> Model:
        model = getattr(self, "model_", None)
        if model is None:
            raise NotFittedError("ActivityClassifier is not fitted: call fit() or pretrained()")
        return model

    def predict(self, prepared) -> pd.DataFrame:
        """Activity epochs of a Prepared signal (docs/SCHEMAS.md)."""
        return classify(prepared, self._model(), self.settings)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (m, len(classes_)) of feature rows ordered as ``feature_names_``."""
        return self._model().predict_proba(X)

    @property
    def classes_(self) -> tuple[str, ...]:
        """Classes of the activity booster."""
        return self._model().classes

    @property
    def feature_names_(self) -> tuple[str, ...]:
        """Feature columns the model expects."""
        return self._model().feature_names
