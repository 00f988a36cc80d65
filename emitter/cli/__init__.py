"""The command line: thin typer commands, each options → config → one library call."""
