"""The dashboard routers: one per role."""
