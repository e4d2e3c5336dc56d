"""The services of contests and honours, by subject (re-exported here)."""

from .contests import *  # noqa: F403
from .honours import *  # noqa: F403
