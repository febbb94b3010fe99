"""Tools run from the command line (``flask ats …``): loading the role catalog
and making demo data. They write through the models, as the CLI's own transaction."""
