import STCLI

await SbertCommand.main()
