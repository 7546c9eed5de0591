"""utils: the tested helper package of *Landscapes to Latent Spaces*.

One module per idea (see the book's DESIGN):

- :mod:`utils.landscape`: Perlin height maps, terrain classes, colouring, discrete levels
- :mod:`utils.plotting`: the book's figures

Modules are imported on demand (``from utils.landscape import ...``) so that importing
``utils`` stays instant and TensorFlow is only loaded by the chapters that train networks.
"""

__version__ = "0.1.0"
