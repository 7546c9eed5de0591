"""utils: the tested helper package of *Landscapes to Latent Spaces*.

One module per idea; ``ARCHITECTURE.md`` at the repository root lists them all.  Chapters 1-3
use :mod:`utils.landscape`, :mod:`utils.segmentation`, :mod:`utils.som`, :mod:`utils.metrics`
and :mod:`utils.plotting`; chapter 4 adds :mod:`utils.relations`, :mod:`utils.models` and
:mod:`utils.layers`; chapter 5 adds :mod:`utils.arrangements`, :mod:`utils.clustering` and
:mod:`utils.latent`.

Modules are imported on demand (``from utils import landscape``) so that importing ``utils``
stays instant and TensorFlow is loaded only by the chapters that train networks.
"""

__version__ = "0.1.0"
