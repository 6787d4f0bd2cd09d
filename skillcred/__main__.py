from skillcred.cli import main

main()
