"""youke-sync: copy a Youke offline bundle to a school box, verified and resumable (see README.md)."""
