"""The library as a whole, as its reader handles it: reading state (`reading`), taking it
out (`export`) and bringing an export back in (`restore`). Backups of the SQLite file are
engine work and live in store/backup.py."""
