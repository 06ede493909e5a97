"""Grade submissions: student code in a sandbox child, pytest graders in this process."""
