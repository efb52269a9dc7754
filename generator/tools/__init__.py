"""Tools beside the product: the benchmark and what it needs; nothing at run time imports them."""
