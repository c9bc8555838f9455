"""LLM judges: the client, the verdict cache, prompt templates, calibration statistics."""
