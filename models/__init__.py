"""Models: the text embedder, the LightGBM ranker and the versioned model bundle."""
