"""The web view in a real browser (Debian's chromium, through Playwright), on a real
``runtime-kit serve``: sign in, follow a running job live, cancel one, and see nothing of
anyone else's.  Every test also fails on any JavaScript error (the ``visitor`` fixture)."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.service.ui.browser import ApiUser, BrowserVisitor

Visit = Callable[[], BrowserVisitor]
MakeUser = Callable[[str, str], ApiUser]
PROBE = "<script>window.__probe = 1</script><img src=x onerror='window.__probe = 2'>"


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
    first = int(page.locator("#interim-count").inner_text())
    energy = page.locator("figure[data-field='energy'] polyline")
    first_points = len(energy.get_attribute("points").split())
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
