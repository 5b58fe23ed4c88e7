from portico.cli import main

main()
