"""A seeded, realistic synthetic world of creators, brands and past campaign outcomes.

See docs/synthetic-world.md for the generative model and the published figures it uses.
"""

from training.world.world import World, generate_world, write_world

__all__ = ["World", "generate_world", "write_world"]
