"""Unit tests of the pure core (metrics/, sample_data/): fast, no database, no browser."""
