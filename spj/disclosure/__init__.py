"""Partners and need-to-know disclosure (DESIGN 4.7).

`model` (the deployment file as data), `loader` (strict, located), `sections`
(what an agency may see of a case), `extract` (the assessment cut down to
those sections, professional secrets withheld) and `log` (the append-only,
hash-chained record of every extract shown to another agency).
"""

from __future__ import annotations

from spj.disclosure.loader import deployment_from_document as deployment_from_document
from spj.disclosure.loader import load_deployment as load_deployment
from spj.disclosure.loader import parse_deployment as parse_deployment
from spj.disclosure.model import Agency as Agency
from spj.disclosure.model import Deployment as Deployment
from spj.disclosure.model import Profile as Profile

__all__ = ["Agency", "Deployment", "Profile", "deployment_from_document", "load_deployment", "parse_deployment"]
