"""The web pages in process: sign-in sessions, CSRF, roles, escaping, JSON twins,
the background CSV screening and bad input (helpful pages, nothing half-written)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select, update

from sanctions.audit import iter_entries
from sanctions.store import Store
from sanctions.web.tables import web_sessions

from .conftest import csrf_of, sign_in


def _alert_ids(client: Any, status: str = "open") -> list[int]:
    data = client.get(f"/ui/alerts?status={status}&format=json").json()
    return [a["id"] for a in data["alerts"]]


def test_pages_need_a_session_and_sign_in_sets_a_strict_cookie(web_client, web_keys):
    first = web_client.get("/ui/alerts?status=open", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/ui/login?next=%2Fui%2Falerts%3Fstatus%3Dopen"
    assert web_client.get("/ui/alerts?format=json").status_code == 401
    signed = sign_in(web_client, web_keys["analyst"], "/ui/alerts?status=open")
    assert signed.status_code == 303 and signed.headers["location"] == "/ui/alerts?status=open"
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    page = web_client.get("/ui/alerts")
    assert page.status_code == 200 and "<h1>Alerts</h1>" in page.text


def test_the_session_cookie_is_secure_over_tls(web_db, web_keys):
    from tests.api.conftest import make_client

    with make_client(web_db) as client:
        client.base_url = "https://testserver"
        signed = sign_in(client, web_keys["analyst"])
        assert "secure" in signed.headers["set-cookie"].lower()


def test_a_wrong_key_or_a_forged_sign_in_form_opens_no_session(web_client, web_keys):
    bad = sign_in(web_client, "sk_not-a-key")
    assert bad.status_code == 401 and "Unknown or revoked API key" in bad.text
    forged = web_client.post(
        "/ui/login", data={"login_csrf": "guess", "api_key": web_keys["admin"]}
    )
    assert forged.status_code == 403
    assert web_client.get("/ui/lists", follow_redirects=False).status_code == 303


def test_sign_in_never_redirects_off_the_site(web_client, web_keys):
    signed = sign_in(web_client, web_keys["analyst"], "//evil.example/ui/")
    assert signed.headers["location"] == "/ui/"


def test_every_page_sends_a_content_security_policy_without_inline_script(web_client, web_keys):
    sign_in(web_client, web_keys["admin"])
    for url in ("/ui/login", "/ui/lists", "/ui/screen", "/ui/alerts", "/ui/audit", "/ui/nope"):
        response = web_client.get(url)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["server-timing"].startswith("app;dur=")
        assert "<script>" not in response.text  # the only script is /ui/static/app.js


def test_sign_out_ends_the_session(web_client, web_keys):
    sign_in(web_client, web_keys["analyst"])
    token = csrf_of(web_client.get("/ui/lists").text)
    out = web_client.post("/ui/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert web_client.get("/ui/lists", follow_redirects=False).status_code == 303


def test_an_expired_session_or_a_revoked_key_signs_out(web_client, web_db, web_keys):
    from sanctions.api import KeyStore

    sign_in(web_client, web_keys["analyst"])
    assert web_client.get("/ui/lists", follow_redirects=False).status_code == 200
    store = Store.open(web_db)
    with store.engine.begin() as conn:
        conn.execute(update(web_sessions).values(expires_at="2000-01-01T00:00:00+00:00"))
    assert web_client.get("/ui/lists", follow_redirects=False).status_code == 303
    sign_in(web_client, web_keys["screen"])
    assert web_client.get("/ui/lists", follow_redirects=False).status_code == 200
    keys = KeyStore(store.engine)
    screen_key = next(k for k in keys.list() if k.name == "web-screen")
    keys.revoke(str(screen_key.id))
    assert web_client.get("/ui/lists", follow_redirects=False).status_code == 303
    with store.engine.connect() as conn:
        stored = [r.token_hash for r in conn.execute(select(web_sessions))]
    assert all(len(h) == 64 for h in stored)  # only hashes of the tokens are kept
    store.close()


def test_roles_are_the_apis(web_client, web_keys):
    sign_in(web_client, web_keys["screen"])
    assert web_client.get("/ui/screen?name=Putin").status_code == 200
    assert web_client.get("/ui/alerts").status_code == 200
    alert_id = _alert_ids(web_client)[0]
    page = web_client.get(f"/ui/alerts/{alert_id}")
    assert "may read alerts but not decide" in page.text and 'name="decision"' not in page.text
    token = csrf_of(page.text)
    decide = web_client.post(
        f"/ui/alerts/{alert_id}/decision",
        data={"csrf_token": token, "decision": "false_positive", "reason": "not him"},
    )
    assert decide.status_code == 403
    assert web_client.get(f"/ui/alerts/{alert_id}?format=json").json()["alert"]["status"] == "open"
    assert web_client.get("/ui/audit").status_code == 403
    assert web_client.get("/ui/coordination/coverage").status_code == 403
    sign_in(web_client, web_keys["analyst"])
    assert web_client.get("/ui/screen?name=Putin").status_code == 403  # as POST /match
    assert web_client.get("/ui/coordination/coverage").status_code == 200


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(web_client, web_keys):
    sign_in(web_client, web_keys["admin"])
    alert_id = _alert_ids(web_client)[0]
    for data in ({}, {"csrf_token": "forged"}):
        data = {**data, "decision": "true_match", "reason": "forged"}
        refused = web_client.post(f"/ui/alerts/{alert_id}/decision", data=data)
        assert refused.status_code == 403 and "security token" in refused.text
    detail = web_client.get(f"/ui/alerts/{alert_id}?format=json").json()
    assert detail["alert"]["status"] == "open" and detail["decisions"] == []
    assert web_client.post("/ui/logout", data={}).status_code == 403


def test_deciding_an_alert_is_recorded_under_the_key_and_audited(web_client, web_keys, web_db):
    sign_in(web_client, web_keys["admin"])
    alert_id = _alert_ids(web_client)[0]
    token = csrf_of(web_client.get(f"/ui/alerts/{alert_id}").text)
    empty = web_client.post(
        f"/ui/alerts/{alert_id}/decision",
        data={"csrf_token": token, "decision": "false_positive", "reason": "  "},
    )
    assert empty.status_code == 400 and "Give the reason" in empty.text
    done = web_client.post(
        f"/ui/alerts/{alert_id}/decision",
        data={"csrf_token": token, "decision": "false_positive", "reason": "other birth date"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    detail = web_client.get(f"/ui/alerts/{alert_id}?format=json").json()
    assert detail["alert"]["status"] == "false_positive"
    assert detail["decisions"][0]["analyst"].endswith(":web-admin")
    store = Store.open(web_db)
    actions = [(e.action, e.actor) for e in iter_entries(store.engine)]
    store.close()
    assert any(a.startswith("alert.") and actor.endswith(":web-admin") for a, actor in actions)
    deadline = time.monotonic() + 120  # the chain is checked in the background
    while True:
        check = web_client.get("/ui/audit?format=json").json()["verify"]
        if check["current"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert check["current"] and check["result"]["ok"] is True, check


def test_bulk_decisions_ask_for_confirmation_first(web_client, web_keys):
    sign_in(web_client, web_keys["analyst"])
    ids = _alert_ids(web_client)[:2]
    token = csrf_of(web_client.get("/ui/alerts").text)
    form = {"csrf_token": token, "alert_id": ids, "decision": "escalated", "reason": "check"}
    confirm = web_client.post("/ui/alerts/bulk", data=form)
    assert confirm.status_code == 200 and "Confirm" in confirm.text
    assert set(_alert_ids(web_client)) >= set(ids)  # nothing decided yet
    done = web_client.post("/ui/alerts/bulk", data={**form, "confirm": "yes"})
    assert done.status_code == 200 and f"{len(ids)} alerts decided" in done.text
    assert set(ids) <= set(_alert_ids(web_client, "escalated"))


def test_a_listed_name_with_markup_is_shown_as_text(web_client, web_keys):
    sign_in(web_client, web_keys["admin"])
    page = web_client.get("/ui/entity/web_fixture-1")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt; FICTIONAL HOLDINGS" in page.text
    name = "<script>alert('pwned')</script> FICTIONAL HOLDINGS"
    screened = web_client.get("/ui/screen", params={"name": name, "schema": "Company"})
    twin = web_client.get("/ui/screen", params={"name": name, "format": "json"}).json()
    assert twin["results"][0]["id"] == "web_fixture-1"
    assert "&lt;script&gt;" in screened.text and "<script>alert" not in screened.text


def test_every_page_has_a_json_twin(web_client, web_keys):
    sign_in(web_client, web_keys["admin"])
    twins = {
        "/ui/screen?name=Vladimir+Putin&schema=Person": "results",
        "/ui/entity/web_fixture-2": "names",
        "/ui/lists": "datasets",
        "/ui/lists/us_ofac_sdn": "versions",
        "/ui/lists/us_ofac_sdn/versions/v2": "changes",
        "/ui/changes": "versions",
        "/ui/alerts": "alerts",
        "/ui/audit": "entries",
        "/ui/coordination/coverage": "coverage",
        "/ui/coordination/gaps?listed_by=us&not_listed_by=gb": "report",
        "/ui/coordination/timeline": "summary",
    }
    for url, key in twins.items():
        sep = "&" if "?" in url else "?"
        response = web_client.get(f"{url}{sep}format=json")
        assert response.status_code == 200, (url, response.text[:300])
        assert key in response.json(), url


def test_the_diff_of_todays_version_shows_before_and_after(web_client, web_keys):
    sign_in(web_client, web_keys["analyst"])
    diff = web_client.get("/ui/lists/us_ofac_sdn/versions/v2?format=json").json()
    assert diff["from"]["label"] == "v1" and diff["total"] == sum(diff["counts"].values())
    changed = [c for c in diff["changes"] if c["change"] == "changed"]
    assert changed and all("fields" in c for c in changed)
    assert any(f["added"] or f["removed"] for c in changed for f in c["fields"])
    only_added = web_client.get("/ui/lists/us_ofac_sdn/versions/v2?change=added&format=json")
    assert all(c["change"] == "added" for c in only_added.json()["changes"])
    people = web_client.get("/ui/lists/us_ofac_sdn/versions/v2?schema=Person&format=json").json()
    assert all(c["schema"] == "Person" for c in people["changes"])
    since = web_client.get("/ui/changes?format=json").json()
    assert any(v["dataset"] == "us_ofac_sdn" and v["seq"] == 2 for v in since["versions"])


def test_the_entity_page_has_history_and_cluster(web_client, web_keys):
    sign_in(web_client, web_keys["analyst"])
    diff = web_client.get("/ui/lists/us_ofac_sdn/versions/v2?change=changed&format=json").json()
    entity_id = diff["changes"][0]["entity_id"]
    data = web_client.get(f"/ui/entity/{entity_id}?format=json").json()
    assert [h["change"] for h in data["history"]][-1] == "changed"
    assert data["history"][-1]["fields"]
    assert data["cluster"] is None or entity_id in [x["id"] for x in data["cluster"]["listings"]]


def test_unknown_things_get_a_helpful_404_page(web_client, web_keys):
    sign_in(web_client, web_keys["admin"])
    for url, words in (
        ("/ui/entity/us_ofac_sdn-999999999", "No such entity"),
        ("/ui/alerts/987654", "No such alert"),
        ("/ui/alerts/abc", "No such alert"),
        ("/ui/lists/nowhere", "No such list"),
        ("/ui/lists/us_ofac_sdn/versions/v99", "has no version"),
        ("/ui/screen/jobs/aaaaaaaaaaaaaaaaaaaaaa", "No such screening job"),
        ("/ui/no-such-page", "No such page"),
    ):
        page = web_client.get(url)
        assert page.status_code == 404, url
        assert words in page.text and page.headers["content-type"].startswith("text/html"), url


def test_bad_form_fields_are_said_on_the_page(web_client, web_keys):
    sign_in(web_client, web_keys["admin"])
    empty = web_client.get("/ui/screen?name=&identifier=")
    assert empty.status_code == 400 and "Give a name or an identifier" in empty.text
    long = web_client.get("/ui/screen?name=" + "a" * 600)
    assert long.status_code == 400 and "at most 500" in long.text
    date = web_client.get("/ui/screen?name=Putin&birth_date=07/10/1952")
    assert date.status_code == 400 and "birth_date" in date.text


def _upload(client: Any, content: bytes, name: str = "customers.csv") -> Any:
    token = csrf_of(client.get("/ui/screen").text)
    files = {"file": (name, content, "text/csv")}
    return client.post("/ui/screen/file", data={"csrf_token": token}, files=files)


def test_bad_uploads_are_refused_with_a_message_and_no_job(web_client, web_keys, tmp_path):
    sign_in(web_client, web_keys["admin"])
    latin1 = _upload(web_client, "name\nJosé Müller\n".encode("latin-1"))
    assert latin1.status_code == 400 and "not UTF-8" in latin1.text
    no_name = _upload(web_client, b"ref,dob\nc-1,1970\n")
    assert no_name.status_code == 400 and "no name column" in no_name.text
    empty = _upload(web_client, b"")
    assert empty.status_code == 400 and "empty" in empty.text
    jobs = tmp_path / "jobs"
    assert not jobs.exists() or not any(jobs.iterdir())


def test_an_oversized_upload_gets_a_page_and_no_job(web_client, web_keys, tmp_path):
    sign_in(web_client, web_keys["admin"])
    big = _upload(web_client, b"name\n" + b"Jane Doe\n" * 300_000)  # over the 2 MiB limit
    assert big.status_code == 413
    assert big.headers["content-type"].startswith("text/html")
    assert "<h1>Too large</h1>" in big.text and "nothing was kept" in big.text
    jobs = tmp_path / "jobs"
    assert not jobs.exists() or not any(jobs.iterdir())
    api = web_client.post("/match/default", content=b"x" * 3_000_000)
    assert api.status_code == 413 and "too large" in api.json()["detail"]


def test_a_csv_file_is_screened_in_the_background(web_client, web_keys, web_db):
    sign_in(web_client, web_keys["admin"])
    content = b"id,name,birth_date\nc-1,Vladimir Putin,1952-10-07\nc-2,Nobody Quietly-Ordinary,\n"
    started = _upload(web_client, content)
    assert started.status_code == 200 and "Screening customers.csv" in started.text
    job_url = str(started.url.path)
    deadline = time.monotonic() + 120
    while True:
        job = web_client.get(f"{job_url}?format=json").json()["job"]
        if job["state"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert job["state"] == "done", job
    assert job["summary"]["screened"] == 2 and job["summary"]["alerts"] == 1
    result = web_client.get(f"{job_url}/results.csv")
    assert result.status_code == 200 and "attachment" in result.headers["content-disposition"]
    lines = result.text.splitlines()
    assert lines[0].startswith("line,query_id,query_name")
    assert any("Putin" in line and "True" in line for line in lines[1:])
    sign_in(web_client, web_keys["screen"])  # another key does not see the job
    assert web_client.get(job_url).status_code == 404
    store = Store.open(web_db)
    runs = [
        e
        for e in iter_entries(store.engine)
        if e.subject == f"screening:{job['summary']['run_id']}"
    ]
    store.close()
    assert runs and runs[0].actor.endswith(":web-admin")


def test_a_slow_report_is_computed_in_the_background(web_client, web_keys):
    sign_in(web_client, web_keys["analyst"])
    url = "/ui/coordination/timeline?schema=Person"
    first = web_client.get(url)
    assert first.status_code == 200
    assert "Computing the timeline report" in first.text and 'http-equiv="refresh"' in first.text
    assert web_client.get(url + "&format=json").status_code == 200  # a twin waits for it
    done = web_client.get(url)
    assert "<h1>Timeline of designations</h1>" in done.text and "<svg" in done.text


def test_an_interrupted_job_says_so_and_old_jobs_are_deleted(tmp_path):
    import os

    from sanctions.web.jobs import KEEP_SECONDS, STALE_SECONDS, JobStore

    jobs = JobStore(tmp_path / "jobs")
    job = jobs.create(7, "c.csv", b"name\nVladimir Putin\n")
    assert jobs.get(job.id, 7).state == "queued" and jobs.get(job.id, 8) is None
    status = tmp_path / "jobs" / job.id / "status.json"
    old = time.time() - STALE_SECONDS - 1
    os.utime(status, (old, old))
    stale = jobs.get(job.id, 7)
    assert stale.state == "failed" and "interrupted" in stale.error
    ancient = time.time() - KEEP_SECONDS - 1
    os.utime(status, (ancient, ancient))
    jobs.create(7, "d.csv", b"name\nSomeone Else\n")  # a new job prunes the old ones
    assert not (tmp_path / "jobs" / job.id).exists()
