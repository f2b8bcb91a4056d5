"""Customer-base models: who is still a customer, how much they will buy and spend.

All models share the contract of :mod:`clientlens.models.base` (validated input, maximum
likelihood with analytic gradients, standard errors, ``summary()``, ``save()``/``load()``)
and return one row per customer from every prediction.
"""

from clientlens.models.base import BaseModel, Convergence
from clientlens.models.bgbb import BetaGeoBetaBinom
from clientlens.models.bgnbd import BetaGeo
from clientlens.models.gammagamma import GammaGamma
from clientlens.models.mbgnbd import ModifiedBetaGeo
from clientlens.models.paretonbd import ParetoNBD
from clientlens.models.sbg import ShiftedBetaGeo

__all__ = [
    "BaseModel",
    "BetaGeo",
    "BetaGeoBetaBinom",
    "Convergence",
    "GammaGamma",
    "ModifiedBetaGeo",
    "ParetoNBD",
    "ShiftedBetaGeo",
]
