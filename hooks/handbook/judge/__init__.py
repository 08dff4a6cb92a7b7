"""judge: the status of every required cell and the verdict of every indicator."""
