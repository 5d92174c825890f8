"""The web view in a real browser (Debian's chromium, through Playwright), on a real
``runtime-kit serve``: sign in, follow a running job live, cancel one, and see nothing of
anyone else's.  Every test also fails on any JavaScript error (the ``visitor`` fixture)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from tests.service.real_server import RealServer
from tests.service.ui.browser import ApiUser, BrowserVisitor

Visit = Callable[..., BrowserVisitor]
MakeUser = Callable[[str, str], ApiUser]
PROBE = "<script>window.__probe = 1</script><img src=x onerror='window.__probe = 2'>"
PHONE = {"width": 360, "height": 740}
#: Elements wider than the window, not inside something that scrolls them (a wide table).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5) && !scrolls(element);
    })
    .map((element) => `${element.tagName}#${element.id}.${element.className}`);
}"""


def test_sign_in_shows_programs_and_jobs(visitor: Visit, api_user: MakeUser) -> None:
    alice = api_user("uploader", "alice")
    program = alice.upload("curve")
    job = alice.submit(program)
    alice.wait_for(job, ("COMPLETED",))
    browser = visitor()
    browser.sign_in(alice.token, start="/ui/programs")
    page = browser.page
    assert page.locator("header .who").inner_text().startswith("alice")
    page.click(f"a[href='/ui/programs/{program}']")
    assert page.locator("#parameters tbody tr").count() == 3
    steps = page.locator("#parameters tbody tr", has_text="steps")
    assert "required" in steps.inner_text() and "integer" in steps.inner_text()
    assert "STEPPER" not in page.content() and "user_messenger.publish" in page.content()
    page.click("header nav >> text=Jobs")
    row = page.locator(f"tr[data-job-id='{job}']")
    assert row.locator(".status").inner_text() == "COMPLETED"
    row.locator("a").first.click()
    assert page.locator("#job-status").inner_text() == "COMPLETED"
    assert '"steps": 3' in page.locator("#inputs").inner_text()
    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/ui/sign-in")
    page.goto(f"/ui/jobs/{job}")
    assert page.locator("#token").is_visible() and job not in page.locator("main").inner_text()


def test_running_job_grows_live_then_completes(visitor: Visit, api_user: MakeUser) -> None:
    alice = api_user("uploader", "alice")
    program = alice.upload("live-curve")
    job = alice.submit(program, steps=14, delay=0.35)
    short = alice.submit(program, steps=6, delay=0.3)
    browser = visitor()
    browser.sign_in(alice.token)
    page = browser.page
    page.evaluate("window.__same_page = true")
    status = page.locator(f"tr[data-job-id='{short}'] .status")
    assert status.inner_text() in ("QUEUED", "RUNNING")
    page.locator(f"tr[data-job-id='{short}'] .status[data-status='COMPLETED']").wait_for()
    assert page.evaluate("window.__same_page") is True  # the list updated without a reload
    alice.wait_for_interim(job, 2)
    page.goto(f"/ui/jobs/{job}")
    page.evaluate("window.__same_page = true")
    curve = "figure[data-field='energy'] polyline"
    energy = page.locator(curve)
    # Read together: an interim event between two reads would count one and draw the other
    # (CI saw 9 points against 7 + 3 after the count had grown by 3).
    first, first_points = page.evaluate(
        """curve => [
            Number(document.getElementById('interim-count').textContent),
            document.querySelector(curve).getAttribute('points').trim().split(/\\s+/).length,
        ]""",
        curve,
    )
    page.wait_for_function(
        "n => Number(document.getElementById('interim-count').textContent) >= n + 3", arg=first
    )
    assert len(energy.get_attribute("points").split()) >= first_points + 3
    assert page.locator("#interim-rows tr").count() >= first + 3
    page.locator("#logs", has_text="step 5").wait_for()
    page.locator("#job-status[data-status='COMPLETED']").wait_for()
    assert page.evaluate("window.__same_page") is True  # no reload
    assert '"energy": -1.0' in page.locator("#result").inner_text()
    assert page.locator("#interim-count").inner_text() == "14"
    assert len(energy.get_attribute("points").split()) == 14
    assert page.locator("figure.histogram rect").count() == 2
    assert page.locator("figure[data-field='step']").count() == 0  # a counter: not charted
    assert page.locator("#cancel").count() == 0
    page.goto("/ui/jobs?status=COMPLETED")
    assert page.locator(f"tr[data-job-id='{job}']").count() == 1


def test_cancel_a_running_job_from_its_page(visitor: Visit, api_user: MakeUser) -> None:
    alice = api_user("uploader", "alice")
    job = alice.submit(alice.upload("long-curve"), steps=400, delay=0.1)
    alice.wait_for(job, ("RUNNING",))
    browser = visitor()
    browser.sign_in(alice.token, start=f"/ui/jobs/{job}")
    page = browser.page
    page.click("#cancel")
    page.locator("#job-status[data-status='CANCELLED']").wait_for()
    assert alice.job(job)["status"] == "CANCELLED"
    assert "cancelled by request" in page.locator("#error").inner_text()
    page.click("#delete")
    page.wait_for_url("**/ui/jobs")
    assert alice.http.get(f"/jobs/{job}").status_code == 404


def test_a_second_user_sees_none_of_the_first_ones(visitor: Visit, api_user: MakeUser) -> None:
    alice, bob = api_user("uploader", "alice"), api_user("uploader", "bob")
    private = alice.upload("alice-private", description="alice's secret sauce")
    public = alice.upload("alice-public", public=True)
    job = alice.submit(private)
    alice.wait_for(job, ("COMPLETED",))
    browser = visitor()
    browser.sign_in(bob.token, start="/ui/programs")
    page = browser.page
    listed = page.locator("#programs").inner_text()
    assert "alice-public" in listed and "alice-private" not in listed
    page.goto("/ui/programs?q=secret")
    assert "secret sauce" not in page.locator("main").inner_text()
    page.goto(f"/ui/programs/{public}")
    assert page.locator("h1").inner_text().startswith("alice-public")
    assert "Source" not in page.locator("main").inner_text()  # owner and admins only
    page.goto("/ui/jobs")
    assert job not in page.content()
    for path in (f"/ui/jobs/{job}", f"/ui/programs/{private}", f"/ui/jobs/{job}/events"):
        response = page.goto(path)
        assert response is not None and response.status == 404
        assert "secret sauce" not in page.content() and "step" not in page.content()
    response = page.goto("/ui/tokens")
    assert response is not None and response.status == 403


def test_signed_out_every_page_is_the_sign_in_page(visitor: Visit, api_user: MakeUser) -> None:
    alice = api_user("uploader", "alice")
    program = alice.upload("hidden-curve")
    job = alice.submit(program)
    browser = visitor()
    page = browser.page
    for path in ("/ui/jobs", "/ui/programs", f"/ui/programs/{program}", f"/ui/jobs/{job}",
                 "/ui/tokens", f"/ui/jobs/{job}/interim_results"):  # fmt: skip
        page.goto(path)
        assert page.locator("h1").inner_text() == "Sign in", path
        text = page.locator("main").inner_text()
        assert program not in text and job not in text and "hidden-curve" not in text
    page.fill("#token", "not-a-token")
    page.click("form[action='/ui/sign-in'] button")
    assert "not valid" in page.locator(".error").inner_text()  # still the sign-in page


def test_script_probes_render_as_text(visitor: Visit, api_user: MakeUser) -> None:
    alice = api_user("uploader", "alice")
    program = alice.upload("probe", description=PROBE)
    job = alice.submit(program, probe=PROBE)
    alice.wait_for(job, ("COMPLETED",))
    browser = visitor()
    browser.sign_in(alice.token, start=f"/ui/jobs/{job}")
    page = browser.page
    for where in ("#inputs", "#interim-rows", "#result"):
        assert "<script>window.__probe = 1</script>" in page.locator(where).inner_text()
    page.goto(f"/ui/programs/{program}")
    assert page.locator(".description").inner_text() == PROBE
    page.goto("/ui/programs")
    assert PROBE in page.locator("#programs").inner_text()
    assert page.evaluate("window.__probe") is None
    scripts = page.eval_on_selector_all("script", "nodes => nodes.map(n => n.src)")
    assert all(re.search(r"/ui/static/ui\.js$", src) for src in scripts)


def test_every_page_fits_a_360_px_phone(
    visitor: Visit, api_user: MakeUser, ui_server: RealServer
) -> None:
    alice = api_user("uploader", "alice")
    program = alice.upload("phone-curve")
    job = alice.submit(program, steps=4)
    alice.wait_for(job, ("COMPLETED",))
    browser = visitor(viewport=PHONE)
    browser.sign_in(ui_server.token)  # an admin: the most links and columns
    page = browser.page
    for path in ("/ui/jobs", f"/ui/jobs/{job}", "/ui/programs", f"/ui/programs/{program}",
                 "/ui/tokens"):  # fmt: skip
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        assert page.evaluate(OVERFLOWING) == [], path
        header = page.locator("header.bar").bounding_box()
        assert header is not None and header["height"] <= 100, (path, header)  # two rows
        for part in ("a.brand", "nav", ".who button"):
            box = page.locator(f"header.bar {part}").bounding_box()
            assert box is not None and box["x"] >= 0, (path, part)
            assert box["x"] + box["width"] <= PHONE["width"], (path, part, box)
    page.goto(f"/ui/jobs/{job}")
    charts = page.locator("figure.chart")
    assert charts.count() == 2  # the energy curve and the counts
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]


def test_times_show_in_the_browsers_time_zone(visitor: Visit, api_user: MakeUser) -> None:
    alice = api_user("uploader", "alice")
    job = alice.submit(alice.upload("zoned-curve"))
    alice.wait_for(job, ("COMPLETED",))
    created = alice.job(job)["created"]
    browser = visitor(timezone_id="Asia/Kolkata")  # UTC+05:30 all year
    browser.sign_in(alice.token, start=f"/ui/jobs/{job}")
    shown = browser.page.locator(f"time[title='{created}']").first
    local = datetime.fromisoformat(created) + timedelta(hours=5, minutes=30)
    assert shown.inner_text() == local.strftime("%Y-%m-%d %H:%M:%S")
    browser.page.goto("/ui/jobs")
    listed = browser.page.locator(f"tr[data-job-id='{job}'] time")
    assert listed.inner_text() == local.strftime("%Y-%m-%d %H:%M:%S")
    assert listed.get_attribute("title") == created
