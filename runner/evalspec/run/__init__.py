"""Running specs over traces: the engine, gates, baselines, judges during a run."""
