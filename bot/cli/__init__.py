"""The command line: the `careerbot` entry point, the terminal chat and the operator tools."""
