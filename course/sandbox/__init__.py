"""Run untrusted submission code in a child process and talk to it in plain data."""
