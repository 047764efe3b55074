"""Offline side of microtribe: synthetic world, training sets, training, evaluation, promotion."""
