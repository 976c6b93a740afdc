import STCLI

SbertCommand.main()
