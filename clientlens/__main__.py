from clientlens.cli import main

main()
