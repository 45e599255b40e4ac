"""Service functions: they own the rules' application and the transaction; views stay thin."""
