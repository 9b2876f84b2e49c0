"""The Chinese sentiment model (transformers + torch): loading, inference, training.

Imports nothing of ours. Until the trained model lands, the daemon scores with
the lexicon scorer in ``listener.scorers.lexicon``.
"""
