"""The catalog: tax rates, categories, products, modifier groups and options."""
