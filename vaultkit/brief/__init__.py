"""`vaultkit brief`: the privacy split, the page, the HTML, and making them from the vault."""
