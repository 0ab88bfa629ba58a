"""Small function apps the host specs drive."""
