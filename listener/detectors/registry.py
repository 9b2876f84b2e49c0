"""The detectors shipped with Listener: the only list of them (``type:`` in the config)."""

from __future__ import annotations

from listener.detectors.base import Detector
from listener.detectors.coordinated import CoordinatedDetector
from listener.detectors.crisis_terms import CrisisTermsDetector
from listener.detectors.influential_author import InfluentialAuthorDetector
from listener.detectors.negative_surge import NegativeSurgeDetector
from listener.detectors.viral_thread import ViralThreadDetector
from listener.detectors.volume_spike import VolumeSpikeDetector
from listener.plugin import Registry

DETECTORS: Registry[Detector] = Registry(
    "detector",
    Detector,
    "type",
    [
        CoordinatedDetector,
        VolumeSpikeDetector,
        NegativeSurgeDetector,
        ViralThreadDetector,
        InfluentialAuthorDetector,
        CrisisTermsDetector,
    ],
)
