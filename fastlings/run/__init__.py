"""Running checks: one description of a run, one result record, and the runners behind it."""
