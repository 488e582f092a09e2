"""Where a dataset file comes from: ``$CULTUREVAL_DATA_DIR`` or the Hugging Face Hub.

Every loader returns a :class:`DataSource` beside its documents, so results can record
exactly which bytes were evaluated (path or Hub id + revision, and a sha256).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

from cultureval.errors import InputError

DATA_DIR_ENV = "CULTUREVAL_DATA_DIR"


class DataFileError(InputError):
    """A dataset file is missing or malformed; the message names the file and the problem."""


class DownloadError(DataFileError):
    """A dataset file could not be downloaded (no network, a refused request): said once per
    file and process, then the same error at once (:data:`_FAILED_DOWNLOADS`), so a listing or a
    run of many tasks on one file does not wait on the Hub's retries for each."""


# download failures of this process, by source: a second task on the same file fails at once
_FAILED_DOWNLOADS: dict[str, DownloadError] = {}


@dataclass
class DataSource:
    """Provenance of one loaded dataset file."""

    dataset: str
    location: str  # local path or "hf://<repo>/<file>"
    sha256: str
    revision: str | None = None
    partial: bool = False
    skipped: dict[str, int] = field(default_factory=dict)
    # rows kept though they repeat an earlier row's content (a release's own repeats), per kind
    repeated: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def read_text(path: Path) -> str:
    """The file's text, strictly UTF-8. A file that cannot be read, or a byte that is not UTF-8,
    is a :class:`DataFileError` naming the file (and the line of the byte)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise DataFileError(f"{path}: cannot open ({error})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DataFileError(
            f"{path}, line {line}: byte 0x{data[error.start]:02x} is not UTF-8 (save the file as UTF-8)"
        ) from None


@contextmanager
def open_data_file(path: Path) -> Iterator[TextIO]:
    """``path``'s text (:func:`read_text`) as a stream for the csv module (line endings kept)."""
    yield io.StringIO(read_text(path), newline="")


def csv_rows(reader, path: Path) -> Iterable:
    """The rows of a csv ``reader`` over ``path``; a malformed row (a field over the csv
    module's size limit, a stray quote in strict mode, ...) is a :class:`DataFileError` naming
    the file and line. Loaders never raise the process-wide field size limit."""
    iterator = iter(reader)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except csv.Error as error:
            # a DictReader counts lines only after a row is read: ask its csv reader
            line = getattr(reader, "reader", reader).line_num
            raise DataFileError(f"{path}, line {line}: {error}") from None
        yield row


def require_cells(row: dict, columns: Iterable[str], path: Path, line: int) -> None:
    """A :class:`DataFileError` when the csv ``row`` lacks any of ``columns`` (a short row:
    ``csv.DictReader`` fills the missing cells with ``None``)."""
    missing = [column for column in columns if row.get(column) is None]
    if missing:
        raise DataFileError(f"{path}, line {line}: the row has no cell for {missing} (a short or truncated row)")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _local_file(dataset: str, relative_path: str, online_source: str) -> Path | None:
    """``$CULTUREVAL_DATA_DIR/<dataset>/<relative_path>`` when the variable is set (it must
    exist then), else ``None``."""
    data_dir = os.environ.get(DATA_DIR_ENV)
    if not data_dir:
        return None
    folder = Path(data_dir).expanduser()
    path = folder / dataset / relative_path
    if not folder.is_dir() or not any(folder.iterdir()):
        state = "is no folder" if not folder.is_dir() else "is an empty folder"
        raise DataFileError(
            f"{path}: file not found ({DATA_DIR_ENV}={data_dir} {state}; point it at a folder holding "
            f"{dataset}/{relative_path}, or unset it to download {online_source})"
        )
    if not path.is_file():
        raise DataFileError(
            f"{path}: file not found ({DATA_DIR_ENV}={data_dir} is set, so {dataset} "
            f"is read from there; unset it to download {online_source})"
        )
    return path


OFFLINE_ENV = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")


def offline() -> bool:
    """Whether the user asked for no network (``HF_HUB_OFFLINE`` or ``HF_DATASETS_OFFLINE`` set
    to 1/true/yes/on, as huggingface_hub reads them): then no loader downloads anything."""
    return any(os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on") for name in OFFLINE_ENV)


def not_offline(dataset: str, relative_path: str, source: str) -> DataFileError:
    """The one-line error of a dataset that is neither local nor cached while offline."""
    flags = "/".join(name for name in OFFLINE_ENV if os.environ.get(name))
    return DataFileError(
        f"{dataset}: not available offline ({flags} is set, {DATA_DIR_ENV} is not, and {source} is not in the "
        f"local cache); set {DATA_DIR_ENV} to a folder holding {dataset}/{relative_path} (a copy of {source})"
    )


def resolve_file(
    dataset: str, relative_path: str, hub_repo: str, hub_filename: str, hub_revision: str
) -> tuple[Path, str, str | None]:
    """Return ``(path, location, revision)`` of a dataset file.

    With ``$CULTUREVAL_DATA_DIR`` set, the file is ``$CULTUREVAL_DATA_DIR/<dataset>/<relative_path>``
    and must exist. Otherwise it is downloaded (and cached) from the Hub dataset ``hub_repo``;
    offline (:func:`offline`) only the Hub cache is read, and a file not in it is a
    :class:`DataFileError` saying so.
    """
    local = _local_file(dataset, relative_path, "from the Hub")
    if local:
        return local, str(local.resolve()), None
    from huggingface_hub import hf_hub_download

    source = f"hf://datasets/{hub_repo}/{hub_filename}@{hub_revision}"
    if source in _FAILED_DOWNLOADS and not offline():
        raise _FAILED_DOWNLOADS[source]
    try:
        downloaded = hf_hub_download(
            repo_id=hub_repo,
            filename=hub_filename,
            repo_type="dataset",
            revision=hub_revision,
            local_files_only=offline(),
        )
    except Exception as error:  # network, auth, missing file: say what was tried
        if offline():
            raise not_offline(dataset, relative_path, source) from None
        failed = DownloadError(
            f"{source}: download failed ({' '.join(str(error).split())}). "
            f"Offline, set {DATA_DIR_ENV} to a folder holding {dataset}/{relative_path}."
        )
        _FAILED_DOWNLOADS[source] = failed
        raise failed from error
    return Path(downloaded), f"hf://datasets/{hub_repo}/{hub_filename}", hub_revision


def resolve_url_file(dataset: str, relative_path: str, url: str, revision: str) -> tuple[Path, str, str | None]:
    """Like :func:`resolve_file`, for data published only as a file at a pinned URL (GitHub).

    Offline the file is ``$CULTUREVAL_DATA_DIR/<dataset>/<relative_path>``; online it is
    downloaded once into ``<cache>/data/<dataset>/<revision>/``. With ``HF_HUB_OFFLINE=1``
    (:func:`offline`) and no local copy, only that cache is read: nothing is downloaded.
    """
    local = _local_file(dataset, relative_path, url)
    if local:
        return local, str(local.resolve()), None
    import urllib.request

    from cultureval.paths import cache_dir

    target = cache_dir() / "data" / dataset / revision / relative_path
    if not target.is_file() and offline():
        raise not_offline(dataset, relative_path, url)
    if not target.is_file() and url in _FAILED_DOWNLOADS:
        raise _FAILED_DOWNLOADS[url]
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".partial")
        try:
            with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as handle:
                handle.write(response.read())
        except OSError as error:
            failed = DownloadError(
                f"{url}: download failed ({error}). Offline, set {DATA_DIR_ENV} to a folder "
                f"holding {dataset}/{relative_path}."
            )
            _FAILED_DOWNLOADS[url] = failed
            raise failed from error
        partial.replace(target)
    return target, url, revision


_SAID: set[tuple[str, str]] = set()


def warn_once(log: logging.Logger, message: str, *args, level: int = logging.WARNING) -> None:
    """Log ``message % args`` on ``log`` once per process: a data file's skipped rows are said
    once a run, though a run loads the data once per task, per harness pass and per worker (the
    same warning came 2–5 times a run)."""
    text = message % args if args else message
    if (log.name, text) in _SAID:
        return
    _SAID.add((log.name, text))
    log.log(level, "%s", text)
