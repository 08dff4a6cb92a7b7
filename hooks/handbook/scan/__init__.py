"""scan: the evidence tree (and the indicator table) read into file records; cached, with git provenance."""
