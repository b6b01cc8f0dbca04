"""The study a researcher runs: arms -> train -> evaluate -> attack -> report (`brl run`)."""
