"""The course model: the manifest, finding exercises by name, loading learner code, starters."""
