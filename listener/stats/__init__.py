"""The statistics detectors are built from, free of plugins and config: bucket series
(``series``), the seasonal count model (``seasonal``), spike assessment (``spikes``), the
binomial share test (``share``), repost cascades (``cascade``) and near-duplicate
clustering (``neardup``)."""
