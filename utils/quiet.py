"""Importing TensorFlow and Keras without their start-up noise.

The one place that imports TensorFlow for the package: :mod:`utils.models`, :mod:`utils.layers`,
:mod:`utils.training`, :mod:`utils.saliency`, :mod:`utils.vae`, :mod:`utils.contrastive`,
:mod:`utils.directional` and :mod:`utils.pixel_autoencoder` call :func:`quiet_tensorflow` first,
and the chapters that do not train networks never import it."""

from __future__ import annotations

import gc
import os

__all__ = ["quiet_tensorflow"]

_QUIET = False


def quiet_tensorflow():
    """Import TensorFlow and Keras with their start-up logs silenced; returns ``keras``.

    TensorFlow's C++ start-up notices (CUDA stubs on a machine without a GPU, oneDNN) are
    written straight to file descriptor 2 and ignore ``TF_CPP_MIN_LOG_LEVEL``; in a notebook
    they would show up as stderr on the page.  They are emitted while TensorFlow is imported and
    its devices are first listed, so file descriptor 2 is pointed at /dev/null for exactly that.

    Returns
    -------
    module
        ``keras``, imported after TensorFlow's logs were silenced.
    """
    global _QUIET
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    if not _QUIET:
        import sys

        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            import absl.logging
            import tensorflow as tf

            absl.logging.set_verbosity(absl.logging.ERROR)
            tf.get_logger().setLevel("ERROR")
            tf.config.list_physical_devices()
            tf.constant(0.0) + 1.0  # initialises the CPU device (and its notices) now
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
        import keras

        # TensorFlow and Keras bring about 370,000 objects that live as long as the process.
        # Python's cycle collector walks all of them on every full collection, and the
        # trainers and model builders collect after every network (to hand the memory of the
        # last one back): 0.25 s a collection, about 1 s per network built and trained.  Moved
        # to the permanent generation (gc.freeze), they are skipped: 0.25 -> 0.03 s (measured
        # after three networks).  Collected first, so that no garbage is frozen.
        gc.collect()
        gc.freeze()
        _QUIET = True
    import keras

    return keras
