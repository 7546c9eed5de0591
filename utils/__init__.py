"""utils: the tested helper package of *Landscapes to Latent Spaces*.

One module per idea; ``ARCHITECTURE.md`` at the repository root lists them all. Chapters 1-3 use
:mod:`utils.noise`, :mod:`utils.landscape`, :mod:`utils.pixel_features`, :mod:`utils.segmentation`,
:mod:`utils.pixel_clusterers`, :mod:`utils.som`, :mod:`utils.metrics` and :mod:`utils.plotting`;
chapter 4 adds :mod:`utils.grids`, :mod:`utils.relations`, :mod:`utils.models` (with
:mod:`utils.training`, :mod:`utils.saliency` and :mod:`utils.quiet`) and :mod:`utils.layers`, and
chapter 4b :mod:`utils.bands`; chapter 5 adds :mod:`utils.arrangements`, :mod:`utils.objects`,
:mod:`utils.clustering`, :mod:`utils.cooccurrence`, :mod:`utils.vae`, :mod:`utils.contrastive`,
:mod:`utils.directional` and :mod:`utils.pixel_autoencoder`; chapter 6 adds :mod:`utils.io`,
:mod:`utils.diagnose`, :mod:`utils.example_data` and :mod:`utils.representations`; chapter 7 adds
:mod:`utils.real_data`. :mod:`utils.timing` times the chapters and measures their memory;
:mod:`utils.naive` keeps the source articles' per-pixel loops for benchmarks and tests;
:mod:`utils._validation` holds the argument checks every module shares.

Modules are imported on demand (``from utils import landscape``) so that importing ``utils``
stays instant and TensorFlow is loaded only by the chapters that train networks.
"""

__version__ = "0.1.0"
