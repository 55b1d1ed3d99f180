"""Sweep history: what earlier sweeps saw, for drift between sweeps and digest baselines.

Layer: after ``report``, before ``sweep``. The store is behind
:class:`~imagesweep.history.store.HistoryStore`; the rules see only
:class:`~imagesweep.baseline.prior.PriorState` records built from it.
"""
