"""Rectification (整改): the items drafted from a run's alerts, their progress and evidence.

The model stays in `assessment.models` (`RectificationItem`, its table unchanged); reads are in
`selectors`, writes in `services`.
"""
