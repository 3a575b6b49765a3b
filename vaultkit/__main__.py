from vaultkit.launch import main

main()
