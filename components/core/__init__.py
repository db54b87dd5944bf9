"""What every part of the console shares: the vocabulary of states, settings read from the
environment, the database URL, the Acoustic connection's configuration, private files and Unicode
text."""
