"""outputs: what the judged model becomes besides site pages: package, export, worklists, reports."""
