from runtime_kit.cli import main

main()
