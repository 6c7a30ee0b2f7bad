import csv
import io
import shutil
import subprocess
import time
from pathlib import Path


def wait_until(predicate, *, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"still not true after {timeout}s")


LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")


def libreoffice_csv_rows(workbook: Path) -> list[list[str]]:
    """The workbook's first sheet as LibreOffice reads it, converted to UTF-8 CSV beside it
    (with a profile of its own, so parallel tests never share one)."""
    assert LIBREOFFICE, "LibreOffice must be installed in CI"
    folder = workbook.parent
    subprocess.run(
        [
            LIBREOFFICE,
            f"-env:UserInstallation=file://{folder / 'libreoffice-profile'}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(folder),
            str(workbook),
        ],
        check=True,
        timeout=180,
        capture_output=True,
    )
    text = workbook.with_suffix(".csv").read_text("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))
