"""A second, independently written synthetic world, for evaluation (docs/world-alt.md).

The model trains on `training.world`; this world grades it with other text, other
distributions and a rule-based truth, so an evaluation does not reward the training
world's way of thinking.

Ground truth (see `rules.py`), for creator c and brand b:

- fit: c's main or secondary niche is b's category, or c holds >= 2 of b's value themes;
- evidence: c named b unpaid, or named other brands of b's category unpaid >= 3 times,
  or c holds >= 2 of b's value themes;
- clean: sponsored saturation < 0.20; real: authentic audience >= 0.80;
  host: answers >= 10% of comments; reach: writes in a language of b, lives in one of b's
  markets, or named b unpaid; big: > 500k followers.

Grades: 3 = fit, not big, and evidence, clean, real, host, reach all hold (would genuinely
advocate); 2 = fit, not big, not saturated (>= 0.40), not fake (< 0.65), exactly one of
those five missing; 1 = fit otherwise (poor partner), or b's category neighbours c's main
niche and they share a value; 0 = anything else. A completed campaign ends in advocacy with
probability 0.92 / 0.10 / 0.03 / 0.01 for grades 3 / 2 / 1 / 0.

    from training.world_alt import generate_alt_world, write_alt_world
    alt = generate_alt_world(3_000, 30, seed=1)
    write_alt_world(alt, Path("world-alt"))  # + grades.csv
"""

from training.world_alt.generate import AltWorld, generate_alt_world, write_alt_world

__all__ = ["AltWorld", "generate_alt_world", "write_alt_world"]
