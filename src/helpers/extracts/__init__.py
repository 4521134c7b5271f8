"""Reading the force's extract files into one canonical model of crimes, people and charges."""
