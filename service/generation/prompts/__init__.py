"""Versioned prompt files: `<name>.v<N>.md`. A released version is never edited; a change is a new file."""
