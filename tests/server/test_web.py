"""The web page in a real browser: Debian's Chromium, driven by Playwright's Python API.

Playwright's own browser download is unreachable here, so it drives the system Chromium through
``executable_path``. The page is served by a queue server over a simulated microscope whose
camera streams through a ``FrameTap``; screenshots go to ``$SKYSCOPE_SCREENSHOTS`` (default: the
test's temporary folder).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import playwright.async_api as playwright_api  # the test extra installs it; CI must not skip
import pytest
from _live_env import Served, served

from _system import require_program

CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    chromium = require_program("chromium", "/usr/bin/chromium")
    async with playwright_api.async_playwright() as p:
        launched = await p.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture(scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    folder = tmp_path_factory.mktemp("web")
    async with served(folder, shape=(128, 96), realtime=True, mode="physics") as running:
        yield running


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    return Path(os.environ.get("SKYSCOPE_SCREENSHOTS", str(tmp_path)))


class Page:
    """A browser page on the server, collecting console errors."""

    def __init__(self, page: Any, server: Served) -> None:
        self.page, self.server = page, server
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.set_default_timeout(TIMEOUT_MS)

    async def log_in(self, role: str = "admin") -> None:
        await self.page.goto(self.server.url + "/")
        await self.page.fill("#key", self.server.keys[role])
        await self.page.click("#login-form button")
        await self.page.wait_for_selector("#app:not([hidden])")
        await self.page.wait_for_selector("#connection.online")

    async def state(self, expression: str) -> Any:
        return await self.page.evaluate(expression)

    async def wait_for(self, expression: str) -> None:
        await self.page.wait_for_function(expression, timeout=TIMEOUT_MS)

    async def fill_form(self, **params: str | list[str]) -> None:
        """Set the plan form's fields: selects by their options, inputs by typing."""
        for param, value in params.items():
            field = self.page.locator(f"#plan-params [name={param}]")
            if await field.evaluate("e => e.tagName") == "SELECT":
                await field.select_option(value)
            else:
                await field.fill(str(value))

    async def add_plan(self, name: str, **params: str | list[str]) -> None:
        await self.page.select_option("#plan-name", name)
        await self.fill_form(**params)
        before = await self.page.locator("#queue-items li").count()
        await self.page.click("#add-plan")
        await self.wait_for(f"document.querySelectorAll('#queue-items li').length > {before}")


@pytest.fixture
async def page(browser: Any, server: Served) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = Page(await context.new_page(), server)
    yield opened
    await context.close()
    await _stop_what_runs(server)


async def _stop_what_runs(server: Served) -> None:
    """Stop a plan a failed test left running (a live view runs until stopped)."""
    manager = server.server
    if manager.engine.state.value in ("running", "paused"):
        if manager.engine.state.value == "running":
            manager.re_pause("immediate")
            await asyncio.wait_for(_until_paused(manager), 10)
        manager.re_control("stop")
    await asyncio.wait_for(manager.wait_idle(), 30)


async def _until_paused(manager: Any) -> None:
    async for status in manager.feed.listen(manager.status()):
        if status["manager_state"] == "paused":
            return


async def test_a_wrong_key_is_refused_with_the_reason(page: Page) -> None:
    await page.page.goto(page.server.url + "/")
    await page.page.fill("#key", "not-a-key")
    await page.page.click("#login-form button")
    await page.page.wait_for_selector("#login-error:not(:empty)")
    assert "unknown, malformed or expired" in await page.page.text_content("#login-error")
    assert await page.page.is_hidden("#app")


async def test_log_in_add_a_count_from_the_form_and_run_it(page: Page, screenshots: Path) -> None:
    await page.log_in("user")
    assert "(user)" in await page.page.text_content("#who")
    await page.add_plan("count", detectors="camera", num="3")
    item = await page.page.text_content("#queue-items li")
    assert item.startswith('count(detectors=["camera"], num=3)')
    await page.page.click("#queue-start")
    await page.wait_for(
        "[...document.querySelectorAll('#history-items li')]"
        ".some(li => li.textContent.includes('completed'))"
    )
    await page.wait_for("document.getElementById('progress-text').textContent.startsWith('3 / 3')")
    assert await page.page.locator("#queue-items li").count() == 0
    assert await page.page.text_content("#manager-state") == "idle"
    await page.page.screenshot(path=str(screenshots / "web-after-count.png"), full_page=True)
    assert page.errors == []


async def test_the_plan_form_offers_devices_numbers_and_defaults_and_edits_queued_items(
    page: Page, screenshots: Path
) -> None:
    await page.log_in("user")
    await page.page.select_option("#plan-name", "count")
    form = page.page.locator("#plan-params")
    text = await form.text_content()
    assert "__READABLE__" not in text
    assert "typing." not in text
    assert "``" not in await page.page.text_content("#plan-form")
    assert await page.page.locator("#plan-description code").first.text_content() == "num"
    # detectors: a multi-select of the readable devices; num and delay: numbers, defaulted
    detectors = form.locator("select[name=detectors]")
    assert await detectors.evaluate("e => e.multiple")
    options = await detectors.locator("option").all_text_contents()
    assert "camera" in options
    assert "x" in options
    assert await form.locator("input[name=num]").get_attribute("type") == "number"
    assert await form.locator("input[name=num]").input_value() == "1"
    assert await form.locator("input[name=delay]").input_value() == "0"
    # a single device: a select, the required one preselected; *args: a comma-separated list
    await page.page.select_option("#plan-name", "live_view")
    cameras = await form.locator("select[name=camera] option").all_text_contents()
    assert "camera" in cameras
    assert await form.locator("select[name=camera]").evaluate("e => e.required")
    await page.page.select_option("#plan-name", "scan")
    assert await form.locator("input[name=args]").get_attribute("placeholder") == (
        "values, separated by commas"
    )
    # a bad number or a missing device is refused with the parameter's name, in the page
    await page.page.select_option("#plan-name", "count")
    await page.page.click("#add-plan")
    await page.page.wait_for_selector("#plan-error:not(:empty)")
    assert await page.page.text_content("#plan-error") == "detectors is required"
    await page.fill_form(detectors=["camera"], num="2.5")
    await page.page.click("#add-plan")
    await page.page.wait_for_selector("#plan-error:has-text('num must be a whole number')")
    # add, then edit the queued item: same uid, new values
    await page.add_plan("count", detectors=["camera"], num="3")
    item = page.page.locator("#queue-items li").last
    assert (await item.text_content()).startswith('count(detectors=["camera"], num=3)')
    uid = await item.get_attribute("data-uid")
    await item.locator("button.edit").click()
    assert await page.page.text_content("#add-plan") == "Update item"
    assert await form.locator("input[name=num]").input_value() == "3"
    await page.fill_form(num="5", delay="0.01")
    await page.page.click("#add-plan")
    await page.wait_for("document.querySelector('#queue-items li')?.textContent.includes('num=5')")
    edited = await page.page.locator("#queue-items li").all_text_contents()
    assert len(edited) == 1  # replaced, not added
    assert await page.page.locator("#queue-items li").first.get_attribute("data-uid") == uid
    assert edited[0].startswith('count(detectors=["camera"], num=5, delay=0.01)')
    assert await page.page.text_content("#add-plan") == "Add to queue"
    await page.page.screenshot(path=str(screenshots / "web-plan-form.png"), full_page=True)
    await page.page.locator("#queue-items li button.remove").click()
    await page.wait_for("document.querySelectorAll('#queue-items li').length === 0")
    assert page.errors == []


async def test_an_mda_from_the_form_shows_progress_and_schedule_lateness(page: Page) -> None:
    await page.log_in("user")
    sequence = '{"time_plan": {"interval": 0.05, "loops": 6}}'  # typed as JSON into its field
    await page.add_plan("mda", sequence=sequence, microscope="scope")
    await page.page.click("#queue-start")
    await page.wait_for("document.getElementById('progress-text').textContent.startsWith('6 / 6')")
    text = await page.page.text_content("#progress-text")
    assert " s late" in text
    late = float(text.split(", ")[-1].removesuffix(" s late"))
    assert late >= 0.0
    await page.wait_for(
        "[...document.querySelectorAll('#history-items li')]"
        ".some(li => li.textContent.startsWith('mda') && li.textContent.includes('completed'))"
    )
    assert page.errors == []


async def test_pause_and_resume_a_running_plan(page: Page, screenshots: Path) -> None:
    await page.log_in("user")
    await page.add_plan("count", detectors="camera", num="400", delay="0.02")
    await page.page.click("#queue-start")
    await page.wait_for("document.getElementById('re-state').textContent === 'running'")
    await page.page.click("#pause")
    await page.wait_for("document.getElementById('re-state').textContent === 'paused'")
    assert await page.page.is_enabled("#resume")
    assert await page.page.is_disabled("#pause")
    await page.page.screenshot(path=str(screenshots / "web-paused.png"), full_page=True)
    await page.page.click("#resume")
    await page.wait_for("document.getElementById('re-state').textContent === 'running'")
    await page.page.click("#pause-now")
    await page.wait_for("document.getElementById('re-state').textContent === 'paused'")
    await page.page.click("#abort")
    await page.wait_for("document.getElementById('manager-state').textContent === 'idle'")
    await page.wait_for(
        "document.querySelector('#history-items li')?.textContent.includes('num=400')"
    )
    assert "aborted" in await page.page.text_content("#history-items li")
    assert page.errors == []


async def _canvas_digest(page: Page) -> str:
    return str(
        await page.state(
            """(() => { const c = document.getElementById('live-canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let h = 0; for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) | 0;
            return `${c.width}x${c.height}:${h}`; })()"""
        )
    )


async def test_live_view_frames_arrive_and_the_canvas_changes(
    page: Page, screenshots: Path
) -> None:
    await page.log_in("admin")
    await page.page.click("#live-start")
    await page.wait_for("window.skyscopeLive.painted > 3")
    # the live view opens no run (no documents): the engine panel still says it runs
    await page.wait_for("document.getElementById('re-state').textContent === 'running'")
    assert "live_view" in await page.page.text_content("#current-plan")
    assert await page.page.text_content("#progress-text") == "\u2013"  # no run: no old figures
    first = await _canvas_digest(page)
    painted = await page.state("window.skyscopeLive.painted")
    await page.wait_for(f"window.skyscopeLive.painted > {painted + 3}")
    second = await _canvas_digest(page)
    assert first.startswith("96x128:")  # width x height of the 128 x 96 sensor
    assert first != second
    header = await page.state("window.skyscopeLive.header")
    assert header["dtype"] == "uint16"
    assert header["channel"] == "scope-camera-image"
    await page.wait_for("window.skyscopeLive.fps > 0")
    assert await page.page.text_content("#fps") != "0 fps"
    # manual contrast and zoom apply to the next frames
    await page.page.select_option("#contrast-mode", "manual")
    await page.page.fill("#contrast-max", "1")
    painted = await page.state("window.skyscopeLive.painted")
    await page.wait_for(f"window.skyscopeLive.painted > {painted + 2}")
    await page.page.select_option("#zoom", "2")
    assert await page.state("document.getElementById('live-canvas').style.width") == "192px"
    await page.page.select_option("#contrast-mode", "auto")
    await page.page.select_option("#zoom", "fit")
    # a click right of centre moves the stage right by the offset times the pixel size
    x_before = (await page.server.server.environment.devices["x"].locate())["setpoint"]
    box = await page.page.locator("#live-canvas").bounding_box()
    await page.page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    await page.page.wait_for_selector("#engine-msg:has-text('stage at')")
    x_after = (await page.server.server.environment.devices["x"].locate())["setpoint"]
    assert x_after - x_before == pytest.approx(96 / 4 * 0.5, abs=0.5)
    await page.page.screenshot(path=str(screenshots / "web-live.png"), full_page=True)
    await page.page.click("#live-stop")
    await page.wait_for("document.getElementById('manager-state').textContent === 'idle'")
    assert page.errors == []


async def test_the_page_asks_for_frames_binned_to_its_canvas_and_zoomed_regions_in_full(
    page: Page,
) -> None:
    await page.log_in("admin")
    await page.state("document.getElementById('viewport').style.width = '40px'")
    await page.state("window.dispatchEvent(new Event('resize'))")
    await page.page.click("#live-start")
    # 96 frame pixels into a 40-pixel-wide viewport: binned by 3, the canvas 32 wide
    await page.wait_for("(window.skyscopeLive.header || {}).binning === 3")
    header = await page.state("window.skyscopeLive.header")
    assert (header["shape"], header["frame_shape"]) == ([42, 32], [128, 96])
    assert await page.state("document.getElementById('live-canvas').width") == 32
    assert "binned 3\u00d73" in await page.page.text_content("#frame-info")
    # zoomed 2x: the visible region, unbinned, on a canvas the frame's size
    await page.page.select_option("#zoom", "2")
    await page.wait_for("(window.skyscopeLive.header || {}).binning === 1")
    header = await page.state("window.skyscopeLive.header")
    x, y, w, h = header["roi"]
    assert (x, y) == (0, 0)
    assert 20 <= w <= 22  # 40 css pixels at 2x (+1 for a partly visible pixel), no more
    assert header["shape"] == [h, w]
    assert await page.state("document.getElementById('live-canvas').width") == 96
    # scrolled: the region follows
    await page.state("document.getElementById('viewport').scrollLeft = 60")
    await page.wait_for("(window.skyscopeLive.header || {}).roi[0] === 30")
    await page.page.select_option("#zoom", "fit")
    await page.page.click("#live-stop")
    await page.wait_for("document.getElementById('manager-state').textContent === 'idle'")
    assert page.errors == []


async def test_a_zoomed_frame_wider_than_the_live_column_scrolls_in_its_viewport(
    page: Page,
) -> None:
    """The viewport keeps the column's width, so only the region in sight is asked for."""
    await page.page.set_viewport_size({"width": 700, "height": 800})  # a column < 384 px
    await page.log_in("admin")
    await page.page.click("#live-start")
    await page.page.select_option("#zoom", "4")
    await page.wait_for("(window.skyscopeLive.header || {}).binning === 1")
    width = await page.state("document.getElementById('viewport').clientWidth")
    assert 0 < width < 96 * 4  # not widened to the 4x canvas
    await page.wait_for(f"window.skyscopeLive.header.roi[2] <= {width // 4 + 2}")
    await page.page.select_option("#zoom", "fit")
    await page.page.click("#live-stop")
    await page.wait_for("document.getElementById('manager-state').textContent === 'idle'")
    assert page.errors == []


async def test_search_the_catalog_and_open_a_run(page: Page, screenshots: Path) -> None:
    await page.log_in("observer")
    await page.wait_for("document.querySelectorAll('#runs li').length > 0")
    await page.page.fill("#search-key", "plan_name")
    await page.page.fill("#search-value", "count")
    await page.page.click("#search-form button")
    # the search's answer replaces the list (which also holds the mda run of an earlier test)
    await page.wait_for(
        "(() => { const runs = [...document.querySelectorAll('#runs li')];"
        " return runs.length > 0 && runs.every(li => li.textContent.includes('count')); })()"
    )
    texts = await page.page.locator("#runs li").all_text_contents()
    assert all("count" in text for text in texts)
    await page.wait_for("document.querySelector('#runs li img').src.startsWith('blob:')")
    await page.page.click("#runs li")
    await page.page.wait_for_selector("#run-view:not([hidden])")
    await page.wait_for("document.getElementById('run-frame').naturalWidth === 96")
    metadata = await page.page.text_content("#run-metadata")
    assert '"plan_name": "count"' in metadata
    await page.page.fill("#search-key", "plan_name")
    await page.page.fill("#search-value", "no-such-plan")
    await page.page.click("#search-form button")
    await page.wait_for("document.querySelectorAll('#runs li').length === 0")
    await page.page.screenshot(path=str(screenshots / "web-catalog.png"), full_page=True)
    assert page.errors == []
