"""microtribe: match brands with the nano- and micro-creators who will champion them."""

__version__ = "0.1.0"
