"""POST /screen/payment and /screen/text: roles, decisions, errors, audit of held messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import auth

MESSAGES = Path(__file__).resolve().parents[1] / "fixtures" / "payments" / "messages"


def mt103(beneficiary: str, remittance: str = "INVOICE 5521") -> str:
    return (
        (MESSAGES / "mt103_clean.txt")
        .read_text()
        .replace("KLAUSNER MASCHINENBAU GMBH", beneficiary)
        .replace("INVOICE 2026-118 SPARE PARTS FOR", remittance)
    )


def test_screen_payment_holds_a_listed_beneficiary_and_audits_it(
    client: Any, keys: dict[str, str]
) -> None:
    response = client.post(
        "/screen/payment",
        json={"message": mt103("VLADIMIR PUTIN")},
        headers=auth(keys["screen"]),
    )
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert result["decision"] == "hold" and result["versions"]
    assert any(f["check"] == "name" and f["path"] == "59" for f in result["findings"])
    log = client.get("/audit/export", headers=auth(keys["admin"]))
    assert log.status_code == 200
    held = [line for line in log.text.splitlines() if "payment.held" in line]
    assert any(f"payment:{result['fingerprint']}" in line and "api-key:" in line for line in held)


def test_screen_payment_passes_a_clean_message_and_batches_bad_ones(
    client: Any, keys: dict[str, str]
) -> None:
    clean = (MESSAGES / "mt103_clean.txt").read_text()
    bad = (MESSAGES / "mt103_wrong_tag.txt").read_text()
    response = client.post(
        "/screen/payment", json={"messages": [clean, bad]}, headers=auth(keys["screen"])
    )
    assert response.status_code == 200, response.text
    first, second = response.json()["results"]
    assert first["decision"] == "pass"
    assert second["decision"] == "hold" and "field 58A" in second["error"]


def test_screen_payment_errors_are_4xx_with_detail(client: Any, keys: dict[str, str]) -> None:
    bad = (MESSAGES / "xml_dtd.xml").read_text()
    response = client.post("/screen/payment", json={"message": bad}, headers=auth(keys["screen"]))
    assert response.status_code == 422 and "DTD" in response.json()["detail"]
    response = client.post("/screen/payment", json={}, headers=auth(keys["screen"]))
    assert response.status_code == 400 and "No message" in response.json()["detail"]
    response = client.post("/screen/payment", json={"message": "x"})
    assert response.status_code == 401


def test_screen_text_finds_listed_names_and_ignores_ordinary_text(
    client: Any, keys: dict[str, str]
) -> None:
    text = "The minister met the board of Northwind Trading on Monday. Sergei Lavrov was quoted."
    response = client.post("/screen/text", json={"text": text}, headers=auth(keys["screen"]))
    assert response.status_code == 200, response.text
    mentions = response.json()["mentions"]
    assert [m["text"] for m in mentions] == ["Sergei Lavrov"]
    assert "LAVROV" in mentions[0]["entity"]["caption"]
    plain = client.post(
        "/screen/text", json={"text": "Spare parts for the line."}, headers=auth(keys["screen"])
    )
    assert plain.json()["mentions"] == []


def test_screen_payment_applies_the_policy_good_guy_list_and_audits_its_use(
    sample_db: Path, keys: dict[str, str], tmp_path: Path
) -> None:
    import datetime as dt

    import yaml

    from .conftest import make_client, wait_ready

    message = {"message": mt103("VLADIMIR PUTIN")}
    with make_client(sample_db) as plain:
        wait_ready(plain.get)
        [before] = plain.post("/screen/payment", json=message, headers=auth(keys["screen"])).json()[
            "results"
        ]
    hits = [f for f in before["findings"] if f["check"] == "name" and f["path"] == "59"]
    entries = [
        {"id": f"gg-{n}", "name": f["value"], "entity": f["entity"]["id"],
         "entity_hash": f["entity"]["hash"], "cleared_by": "a.analyst", "cleared_at": "2026-12-01",
         "reason": "test: cleared on purpose",
         "expires": (dt.date.today() + dt.timedelta(days=30)).isoformat()}
        for n, f in enumerate(hits)
    ]  # fmt: skip
    (tmp_path / "gg.yml").write_text(yaml.safe_dump({"entries": entries}))
    (tmp_path / "policy.yml").write_text("good_guys: gg.yml\n")
    with make_client(sample_db, payment_policy=str(tmp_path / "policy.yml")) as client:
        wait_ready(client.get)
        response = client.post("/screen/payment", json=message, headers=auth(keys["screen"]))
        assert response.status_code == 200, response.text
        [result] = response.json()["results"]
        cleared = [f for f in result["findings"] if f["path"] == "59"]
        assert cleared and all(f["action"] == "cleared" for f in cleared)
        assert result["decision"] == "pass"
        log = client.get("/audit/export", headers=auth(keys["admin"])).text
        assert any(
            "payment.cleared" in line and f"payment:{result['fingerprint']}" in line
            for line in log.splitlines()
        )
    (tmp_path / "gg.yml").write_text("entries: [{entity: x}]\n")
    with make_client(sample_db, payment_policy=str(tmp_path / "policy.yml")) as broken:
        wait_ready(broken.get)
        response = broken.post("/screen/payment", json=message, headers=auth(keys["screen"]))
        assert response.status_code == 503 and "'reason' is missing" in response.json()["detail"]


def test_a_revoked_good_guy_entry_stops_clearing_at_the_next_request(
    sample_db: Path, keys: dict[str, str], tmp_path: Path
) -> None:
    """The API re-reads the good-guy list when its file changes, not only at the next list
    update: an entry an analyst removes never clears another message."""
    import datetime as dt

    import yaml

    from .conftest import make_client, wait_ready

    message = {"message": mt103("VLADIMIR PUTIN")}
    (tmp_path / "gg.yml").write_text("entries: []\n")
    (tmp_path / "policy.yml").write_text("good_guys: gg.yml\n")
    with make_client(sample_db, payment_policy=str(tmp_path / "policy.yml")) as client:
        wait_ready(client.get)

        def screen() -> dict[str, Any]:
            response = client.post("/screen/payment", json=message, headers=auth(keys["screen"]))
            assert response.status_code == 200, response.text
            return response.json()["results"][0]

        held = screen()
        hits = [f for f in held["findings"] if f["check"] == "name" and f["path"] == "59"]
        assert hits and held["decision"] != "pass"
        entries = [
            {"id": f"gg-{n}", "name": f["value"], "entity": f["entity"]["id"],
             "entity_hash": f["entity"]["hash"], "cleared_by": "a.analyst",
             "cleared_at": "2026-12-01", "reason": "test: cleared on purpose",
             "expires": (dt.date.today() + dt.timedelta(days=30)).isoformat()}
            for n, f in enumerate(hits)
        ]  # fmt: skip
        (tmp_path / "gg.yml").write_text(yaml.safe_dump({"entries": entries}))
        assert screen()["decision"] == "pass"
        (tmp_path / "gg.yml").write_text("entries: []\n")  # revoked
        again = screen()
        assert again["decision"] == held["decision"]
        assert not any(f["action"] == "cleared" for f in again["findings"])
