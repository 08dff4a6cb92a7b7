"""Small helpers every stage may use: text, files, atomic writes, spreadsheets."""
