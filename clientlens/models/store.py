"""The versioned model store: trained models kept in the workspace, one folder a version.

A trained model (see :mod:`clientlens.models.trained`) is saved with everything needed to
trust it and to use it again::

    <workspace>/models/churn/v000003/
        model.pkl    the fitted estimators (pickle; only ClientLens reads its own files)
        card.json    the model card: its features, its validation figures, the data it was
                     trained on (cutoffs, rows, observation end, settings, seed) and the
                     library versions

A version is written under a ``.partial`` name and renamed into place, so a reader never
sees half a model. Versions are numbered per model name; the newest ``keep`` are kept.

>>> import tempfile
>>> store = ModelStore(tempfile.mkdtemp())
>>> store.save("demo", {"weights": [1, 2]}, {"features": ["a"]})
1
>>> store.load("demo")[1]["features"], store.versions("demo")
(['a'], [1])
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path
from typing import Any

from clientlens.errors import WorkspaceError

MODELS_DIR = "models"
MODEL_FILE = "model.pkl"
CARD_FILE = "card.json"
KEEP_VERSIONS = 5


class ModelStore:
    """Trained models of one workspace (``<workspace>/models``).

    Parameters
    ----------
    root
        The folder holding one sub-folder per model name.
    keep
        Versions kept per model name; older ones are removed after each save.
    """

    def __init__(self, root: str | os.PathLike[str], *, keep: int = KEEP_VERSIONS):
        self.root = Path(root)
        self.keep = keep

    def versions(self, name: str) -> list[int]:
        """The stored versions of model ``name``, oldest first."""
        folder = self.root / name
        if not folder.is_dir():
            return []
        found = [p.name for p in folder.iterdir() if p.is_dir() and p.name.startswith("v")]
        return sorted(int(f[1:]) for f in found if f[1:].isdigit())

    def save(self, name: str, model: Any, card: dict[str, Any]) -> int:
        """Store ``model`` with its ``card`` as the next version of ``name``; its number."""
        version = (self.versions(name) or [0])[-1] + 1
        final = self._path(name, version)
        partial = final.with_name(final.name + ".partial")
        try:
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir(parents=True)
            with (partial / MODEL_FILE).open("wb") as f:
                pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
            card = {**card, "name": name, "version": version}
            (partial / CARD_FILE).write_text(
                json.dumps(card, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
            )
            os.replace(partial, final)
        except OSError as exc:
            raise WorkspaceError(
                f"Cannot store model {name!r} in {self.root}: {exc.strerror or exc}."
            ) from None
        for old in self.versions(name)[: -self.keep]:
            shutil.rmtree(self._path(name, old), ignore_errors=True)
        return version

    def load(self, name: str, version: int | None = None) -> tuple[Any, dict[str, Any]]:
        """Model ``name`` at ``version`` (default: the newest) and its card."""
        if version is None:
            stored = self.versions(name)
            if not stored:
                raise WorkspaceError(
                    f"No trained {name!r} model in {self.root}. Run `clientlens analyze` to "
                    "train one."
                )
            version = stored[-1]
        path = self._path(name, version)
        if not (path / MODEL_FILE).is_file():
            raise WorkspaceError(f"Model {name!r} version {version} is not in {self.root}.")
        with (path / MODEL_FILE).open("rb") as f:
            # the workspace's own file, written by save(): never load a model from elsewhere
            model = pickle.load(f)
        card = json.loads((path / CARD_FILE).read_text(encoding="utf-8"))
        return model, card

    def card(self, name: str, version: int | None = None) -> dict[str, Any]:
        """The card of model ``name`` at ``version`` (default: the newest), without
        unpickling the model (which an older ClientLens may have written differently)."""
        if version is None:
            stored = self.versions(name)
            if not stored:
                raise WorkspaceError(f"No trained {name!r} model in {self.root}.")
            version = stored[-1]
        path = self._path(name, version) / CARD_FILE
        if not path.is_file():
            raise WorkspaceError(f"Model {name!r} version {version} is not in {self.root}.")
        card: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return card

    def _path(self, name: str, version: int) -> Path:
        return self.root / name / f"v{version:06d}"
