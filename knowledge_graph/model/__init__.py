"""Validated value objects of the catalog (products, variants, promotions, money, names, times); no I/O."""
