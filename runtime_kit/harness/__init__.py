"""The local harness: run a program's ``main()`` in a child process, as the service would."""
