"""The report opened in headless Chromium: its tables are in the rendered DOM and its images decode.

The page's one inline script marks ``<html data-images="ok">`` once every image has loaded with a
non-zero natural width; ``--dump-dom`` after a virtual-time budget gives the DOM as rendered. A
screenshot checks that the page is not blank. Chromium runs with host resolution disabled, so any
attempt to load something from the network would fail (and the page's CSP forbids it anyway).

Skipped when no ``chromium`` is installed, except in CI (``CI`` set), where ``.ci/chromium.sh``
installs Debian's package and a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from i4districts.report.page import write_report
from i4districts.report.provenance import run_time

from .fixtures import make_report_fixture

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed but CI is set: .ci/chromium.sh must install it", pytrace=False)
    pytestmark = pytest.mark.skip(reason="chromium is not installed (CI installs it with .ci/chromium.sh)")


def chromium(profile: Path, *args: str, timeout: int = 90) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
             "--virtual-time-budget=5000"]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, shared_data) -> tuple[str, Path]:
    """The fixture report written once, its DOM after rendering and a screenshot (Chromium is slow to start)."""
    fixture = make_report_fixture(tmp_path_factory.mktemp("report"), shared_data)
    out = fixture.root / "report.html"
    write_report(fixture.manifest, out, run_time(), git_dir=fixture.root)
    profile = tmp_path_factory.mktemp("chromium-profile")
    dom = chromium(profile, "--dump-dom", out.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    shot = fixture.root / "shot.png"
    done = chromium(profile, "--hide-scrollbars", "--window-size=1000,1400", f"--screenshot={shot}", out.as_uri())
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    return dom.stdout, shot


def test_images_decode_in_chromium(rendered):
    dom, _ = rendered
    root = re.search(r"<html[^>]*>", dom).group(0)
    assert 'data-images="ok"' in root, root
    assert 'data-image-count="2"' in root
    count = int(re.search(r'data-table-count="(\d+)"', root).group(1))
    assert count >= 6


def test_tables_are_in_the_rendered_dom(rendered):
    dom, _ = rendered
    rows = re.sub(r"\s+", " ", dom)
    assert "<caption>Fixture regression table</caption>" in rows
    assert "<td>Exposure</td><td>-0.8154***</td><td>-0.0433*</td>" in rows
    assert "<td>ITC11</td><td>1,234,567</td><td>0.4321</td>" in rows  # Markdown fallback
    assert "<td>G-I</td><td>-0.0381</td><td>-2.9051</td>" in rows  # CSV fallback
    assert "Top Rotemberg sector (share of estimate)" in rows and "C (122.8%)" in rows  # diagnostics
    assert "id=\"prov-inputs\"" in rows and "isoc_eb_p3dn2" in rows  # provenance


def test_screenshot_is_not_blank(rendered):
    from PIL import Image

    _, shot = rendered
    with Image.open(shot) as im:
        gray = im.convert("L")
        lo, hi = gray.getextrema()
        dark = sum(gray.histogram()[:128])
    assert hi - lo > 100 and dark > 500  # text and rules drawn on the white page


def test_a_corrupt_image_is_reported_broken(tmp_path, shared_data):
    """Negative control: the check is not vacuous (a PNG signature followed by garbage does not decode)."""
    from i4districts.report.manifest import Item, build_manifest

    fixture = make_report_fixture(tmp_path, shared_data)
    bad = fixture.root / "results/fixture/figures/corrupt.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20)
    manifest = build_manifest(title="t", items=[Item(kind="figure", id="corrupt", path=(str(bad),))],
                              base_dir=fixture.root)
    out = fixture.root / "corrupt.html"
    write_report(manifest, out, run_time(), git_dir=fixture.root)
    dom = chromium(tmp_path / "profile", "--dump-dom", out.as_uri())
    root = re.search(r"<html[^>]*>", dom.stdout).group(0)
    assert 'data-images="broken"' in root and 'data-image-count="1"' in root
