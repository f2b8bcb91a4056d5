"""ClientLens: customer analytics and customer operations."""
