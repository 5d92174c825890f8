"""The web view in-process (TestClient): sessions, CSRF, escaping, and authorization that
is exactly the API's, role by role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime_kit.service.service import Service
from tests.service.conftest import Api, program_body

SignIn = Callable[[str], TestClient]


@pytest.fixture
def sign_in(client: TestClient) -> Iterator[SignIn]:
    """``sign_in(token)``: a browser-like client of the same app, signed in with the form."""
    made: list[TestClient] = []

    def make(token: str) -> TestClient:
        browser = TestClient(client.app)
        made.append(browser)
        response = browser.post(
            "/ui/sign-in",
            data={"csrf": form_secret(browser.get("/ui/sign-in").text), "token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return browser

    yield make
    for browser in made:
        browser.close()


def form_secret(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def job_ids(html: str) -> set[str]:
    return set(re.findall(r'data-job-id="([^"]+)"', html))


def program_ids(html: str) -> set[str]:
    table = html.split('id="programs"', 1)[1]
    return set(re.findall(r'href="/ui/programs/([^"?]+)"', table))


@pytest.fixture
def world(as_role: Callable[[str, str], Api], admin: Api) -> dict[str, Any]:
    alice, bob = as_role("uploader", "alice"), as_role("uploader", "bob")
    private = alice.post("/programs", program_body("private")).json()["id"]
    public = alice.post("/programs", program_body("public", is_public=True)).json()["id"]
    bobs = bob.post("/programs", program_body("bobs")).json()["id"]
    params = {"iterations": 1, "shots": 4}
    jobs = [
        alice.post("/jobs", {"program_id": private, "params": params}).json()["id"],
        bob.post("/jobs", {"program_id": public, "params": params}).json()["id"],
    ]
    for job in jobs:
        admin.wait_final(job)
    actors = {"alice": alice, "bob": bob, "carol": as_role("user", "carol"), "admin": admin}
    return {"actors": actors, "programs": [private, public, bobs], "jobs": jobs}


def test_signed_out_every_page_is_the_sign_in_page(client: TestClient, world: dict) -> None:
    private, job = world["programs"][0], world["jobs"][0]
    for path in ("/ui/jobs", "/ui/programs", f"/ui/programs/{private}", f"/ui/jobs/{job}",
                 "/ui/tokens", f"/ui/jobs/{job}/interim_results"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 401, path
        assert 'name="token"' in response.text
        shown = re.sub(r'name="next" value="[^"]*"', "", response.text)  # the path asked for
        assert private not in shown and job not in shown
    assert client.get(f"/ui/jobs/{job}/events").status_code == 401


def test_lists_and_pages_show_exactly_what_the_api_shows(sign_in: SignIn, world: dict) -> None:
    for name, api in world["actors"].items():
        browser = sign_in(api.headers["X-Access-Token"])
        api_jobs = {job["id"] for job in api.get("/jobs?limit=100").json()["jobs"]}
        assert job_ids(browser.get("/ui/jobs").text) == api_jobs, name
        api_programs = {p["id"] for p in api.get("/programs?limit=100").json()["programs"]}
        assert program_ids(browser.get("/ui/programs").text) == api_programs, name
        for program in world["programs"]:
            expected = api.get(f"/programs/{program}")
            page = browser.get(f"/ui/programs/{program}")
            assert page.status_code == expected.status_code, (name, program)
            assert ("<h2>Source" in page.text) == ("data" in expected.json()), (name, program)
        for job in world["jobs"]:
            expected = api.get(f"/jobs/{job}").status_code
            assert browser.get(f"/ui/jobs/{job}").status_code == expected, (name, job)
            assert browser.get(f"/ui/jobs/{job}/events").status_code == expected, (name, job)


def test_the_session_cookie_is_httponly_strict_and_ends_on_sign_out(client: TestClient) -> None:
    secret = form_secret(client.get("/ui/sign-in").text)
    response = client.post(
        "/ui/sign-in", data={"csrf": secret, "token": "admin-secret"}, follow_redirects=False
    )
    cookie = next(v for v in response.headers.get_list("set-cookie") if "rk_session=" in v)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/ui" in cookie
    page = client.get("/ui/jobs")
    assert page.status_code == 200
    client.post("/ui/sign-out", data={"csrf": form_secret(page.text)})
    assert client.get("/ui/jobs").status_code == 401


def test_every_form_that_changes_something_checks_its_secret(
    client: TestClient, sign_in: SignIn, world: dict, service: Service
) -> None:
    assert client.post("/ui/sign-in", data={"token": "admin-secret"}).status_code == 403
    browser = sign_in("admin-secret")
    job = world["jobs"][0]
    tokens_before = len(service.tokens.list())
    for path, form in [
        (f"/ui/jobs/{job}/cancel", {}),
        (f"/ui/jobs/{job}/delete", {}),
        ("/ui/tokens", {"name": "mallory", "role": "admin"}),
        (f"/ui/tokens/{service.tokens.list()[0]['id']}/revoke", {}),
        ("/ui/sign-out", {}),
    ]:
        for secret in (None, "forged"):
            data = form if secret is None else {**form, "csrf": secret}
            assert browser.post(path, data=data).status_code == 403, (path, secret)
    assert browser.get(f"/ui/jobs/{job}").status_code == 200  # not deleted, still signed in
    assert len(service.tokens.list()) == tokens_before
    assert not any(token["revoked"] for token in service.tokens.list())


def test_revoking_the_token_ends_its_sessions(
    as_role: Callable[[str, str], Api], sign_in: SignIn, service: Service
) -> None:
    carol = as_role("user", "carol")
    browser = sign_in(carol.headers["X-Access-Token"])
    assert browser.get("/ui/jobs").status_code == 200
    token_id = next(t["id"] for t in service.tokens.list() if t["name"] == "carol")
    service.tokens.revoke(token_id)
    assert browser.get("/ui/jobs").status_code == 401


def test_a_sign_in_link_signs_in_once(client: TestClient, admin: Api) -> None:
    link = admin.post("/ui/sign-in-links").json()
    assert link["path"].startswith("/ui/sign-in/link?code=") and link["expires_in_s"] == 300
    page = client.get(link["path"])
    assert page.status_code == 200 and "data-autosubmit" in page.text
    assert client.get("/ui/jobs").status_code == 401  # opening the link changed nothing
    form = {"csrf": form_secret(page.text), "code": link["path"].split("code=")[1]}
    response = client.post("/ui/sign-in/link", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/ui/jobs").status_code == 200
    client.cookies.clear()
    page = client.get(link["path"])
    form["csrf"] = form_secret(page.text)
    assert client.post("/ui/sign-in/link", data=form).status_code == 401  # used up
    assert client.post("/ui/sign-in-links").status_code == 401  # needs an API token


def test_values_are_escaped_and_pages_carry_a_strict_policy(
    as_role: Callable[[str, str], Api], sign_in: SignIn
) -> None:
    alice = as_role("uploader", "alice")
    probe = "<script>alert(1)</script>"
    program = alice.post("/programs", program_body("probe", description=probe)).json()["id"]
    browser = sign_in(alice.headers["X-Access-Token"])
    for path in ("/ui/programs", f"/ui/programs/{program}"):
        page = browser.get(path)
        assert probe not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert browser.get("/ui/static/ui.js").headers["content-type"].startswith("text/javascript")
    assert browser.get("/ui/static/nothing.js").status_code == 404


def test_job_events_resume_after_the_last_event_id(
    as_role: Callable[[str, str], Api], sign_in: SignIn
) -> None:
    alice = as_role("uploader", "alice")
    program = alice.post("/programs", program_body("hello")).json()["id"]
    job = alice.post("/jobs", {"program_id": program, "params": {"iterations": 3}}).json()["id"]
    alice.wait_final(job)
    browser = sign_in(alice.headers["X-Access-Token"])
    events = browser.get(f"/ui/jobs/{job}/events").text
    assert "event: status" in events and "event: end" in events
    assert 'data-n=\\"1\\"' in events and "id: 3." in events
    resumed = browser.get(f"/ui/jobs/{job}/events", headers={"Last-Event-ID": "2.0"}).text
    assert 'data-n=\\"3\\"' in resumed and 'data-n=\\"1\\"' not in resumed
    for unreadable in ("².1", "9" * 40 + ".0"):  # not ASCII digits, or too many: start over
        header = {"Last-Event-ID": unreadable.encode("latin-1")}
        events = browser.get(f"/ui/jobs/{job}/events", headers=header)
        assert events.status_code == 200 and 'data-n=\\"1\\"' in events.text


def test_jobs_show_their_instance_and_filter_by_it(
    sign_in: SignIn, service: Service, admin: Api
) -> None:
    admin.post("/instances", {"instance": "ibm-q/deployed/main"})
    made = admin.post("/tokens", {"name": "dora", "instances": ["ibm-q/deployed/main"]}).json()
    dora = Api(admin.client, made["token"])
    program_id = admin.post("/programs", program_body("shared", is_public=True)).json()["id"]
    body = {"program_id": program_id, "params": {"iterations": 1, "shots": 4}}
    hgp = {"hub": "ibm-q", "group": "deployed", "project": "main"}
    deployed = dora.post("/jobs", {**body, **hgp}).json()["id"]
    opened = dora.post("/jobs", body).json()["id"]
    browser = sign_in(made["token"])
    listing = browser.get("/ui/jobs").text
    assert job_ids(listing) == {deployed, opened}
    assert '<a href="/ui/jobs?instance=ibm-q%2Fdeployed%2Fmain">ibm-q/deployed/main</a>' in listing
    filtered = browser.get("/ui/jobs", params={"instance": "ibm-q/deployed/main"}).text
    assert job_ids(filtered) == {deployed}
    assert "instance <code>ibm-q/deployed/main</code>" in filtered
    assert job_ids(browser.get("/ui/jobs", params={"instance": "not an instance"}).text) == {
        deployed,
        opened,
    }
    page = browser.get(f"/ui/jobs/{deployed}").text
    assert '<dd id="instance">ibm-q/deployed/main</dd>' in page


def test_circuit_jobs_show_as_circuits(sign_in: SignIn, admin: Api) -> None:
    from tests.service.test_circuit_jobs import submit

    job_id = submit(admin, name="my bell")
    browser = sign_in("admin-secret")
    listing = browser.get("/ui/jobs").text
    assert job_ids(listing) == {job_id}
    assert '<span class="circuits">circuits (backend.run)</span>' in listing
    assert "qobj-runner" not in listing
    page = browser.get(f"/ui/jobs/{job_id}").text
    assert '<dd id="program">circuits (backend.run: my bell)</dd>' in page


def test_an_admin_sees_each_jobs_owner_and_everyone_its_version(
    as_role: Callable[[str, str], Api], admin: Api, sign_in: SignIn, world: dict
) -> None:
    alices_job, bobs_job = world["jobs"]
    admins_list = sign_in("admin-secret").get("/ui/jobs").text
    assert "<th>Owner</th>" in admins_list
    for job, owner in ((alices_job, "alice"), (bobs_job, "bob")):
        row = admins_list.split(f'data-job-id="{job}"')[1].split("</tr>")[0]
        assert f">{owner}</td>" in row and "<td>0</td>" in row  # version 0, not "latest"
    alice = world["actors"]["alice"]
    alices_list = sign_in(alice.headers["X-Access-Token"]).get("/ui/jobs").text
    assert "<th>Owner</th>" not in alices_list
    page = sign_in(alice.headers["X-Access-Token"]).get(f"/ui/jobs/{alices_job}").text
    assert "<dt>Version</dt><dd>0</dd>" in page and "latest" not in page
    assert admin.get(f"/jobs/{alices_job}").json()["version"] == "0"


def test_times_show_readable_with_the_stored_time_in_the_title(
    sign_in: SignIn, world: dict, admin: Api
) -> None:
    job = world["jobs"][0]
    created = admin.get(f"/jobs/{job}").json()["created"]
    page = sign_in("admin-secret").get(f"/ui/jobs/{job}").text
    shown = re.search(rf'<time datetime="[^"]+" title="{re.escape(created)}">([^<]+)</time>', page)
    assert shown is not None, page
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", shown.group(1))
    assert re.search(r">\d{4}-\d\d-\d\dT[\d:.]+Z<", page) is None  # no raw ISO as text


def test_the_parameter_table_shows_main_defaults_the_schema_lacks(
    as_role: Callable[[str, str], Api], sign_in: SignIn
) -> None:
    alice, carol = as_role("uploader", "alice"), as_role("user", "carol")
    public = alice.post("/programs", program_body("hello", is_public=True)).json()["id"]
    for reader in (alice, carol):  # its owner, and a user who cannot see its source
        page = sign_in(reader.headers["X-Access-Token"]).get(f"/ui/programs/{public}").text
        table = page.split('id="parameters"')[1].split("</table>")[0]
        cells = dict(
            re.findall(r"<code>(\w+)</code></td>\s*<td>[^<]*</td>\s*<td>(.*?)</td>", table)
        )
        assert set(cells) == {"iterations", "shots"}
        for name, default in (("iterations", "3"), ("shots", "1024")):
            assert f">{default}</code> <small>from main()</small>" in cells[name], (name, cells)


def test_the_service_has_an_icon(client: TestClient) -> None:
    icon = client.get("/favicon.ico")  # signed out: browsers ask for it on every page
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    count = int.from_bytes(icon.content[4:6], "little")
    sizes = {icon.content[6 + 16 * index] for index in range(count)}
    assert sizes == {16, 32}
    assert '<link rel="icon" href="/favicon.ico">' in client.get("/ui/sign-in").text
