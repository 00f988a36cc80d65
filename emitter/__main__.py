from emitter.cli.app import main

main()
