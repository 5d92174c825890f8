"""Static checks of program source: by ``ast`` only, never importing or running the program."""
