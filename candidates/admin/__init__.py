"""The admin of the Vikar- & CV-bank, by sub-area. Importing the modules registers them."""

from . import candidate, postings, profile
from .pagination import EstimatedCountPaginator

__all__ = ["EstimatedCountPaginator", "candidate", "postings", "profile"]
