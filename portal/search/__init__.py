"""Site search over the portal's pages; see `segment` for how Japanese is handled."""
