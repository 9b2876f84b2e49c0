"""Item pipelines, in order: normalise → brands → dedupe → spool."""
