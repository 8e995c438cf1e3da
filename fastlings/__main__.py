from fastlings.cli import main

main()
