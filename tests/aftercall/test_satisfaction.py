"""The one satisfaction question after the call: answered once, counted per
product, kept without personal data."""

from collective.digitalebalie import errors
from collective.digitalebalie.aftercall import satisfaction
from collective.digitalebalie.aftercall.satisfaction import Answers
from collective.digitalebalie.booking import store
from collective.digitalebalie.settings import now_utc
from collective.digitalebalie.settings import site_timezone
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from helpers import JSON
from plone import api
from ZODB.FileStorage import FileStorage
import pytest
import threading
import transaction
import ZODB


def completed(desk, hhmm="10:00", **data):
    token, url = desk.book(hhmm, **data)
    response = desk.anna.post(f"{url}/@complete", json={"note": ""}, headers=JSON)
    assert response.status_code == 200, response.text
    return token, url


def answer(desk, token, body):
    return desk.citizen.post(
        f"@appointment/{token}/satisfaction", json=body, headers=JSON
    )


def summary(desk, session=None):
    response = (session or desk.anna).get(f"{desk.product}/@satisfaction", headers=JSON)
    assert response.status_code == 200, response.text
    return response.json()


def today():
    return now_utc().astimezone(site_timezone()).date()


def test_the_citizen_answers_once_and_the_team_sees_the_count(desk):
    token, _url = completed(desk)
    response = answer(desk, token, {"score": 4, "comment": "Snel en vriendelijk."})
    assert response.status_code == 200, response.text
    assert response.json()["satisfaction_given"] is True
    assert desk.mine(token)["satisfaction_given"] is True

    again = answer(desk, token, {"score": 1})
    assert again.status_code == 409
    assert again.json()["error"]["type"] == "AlreadyAnswered"

    other, _url = completed(desk, "11:00", email="jan@example.nl")
    assert answer(desk, other, {"score": 5}).status_code == 200
    found = summary(desk)
    assert found["count"] == 2
    assert found["mean"] == 4.5
    assert found["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
    assert found["comments"] == [
        {"date": today().isoformat(), "score": 4, "comment": "Snel en vriendelijk."}
    ]


def test_a_form_sends_the_score_as_text(desk):
    token, _url = completed(desk)
    assert answer(desk, token, {"score": "3", "comment": ""}).status_code == 200
    assert summary(desk)["distribution"]["3"] == 1
    assert summary(desk)["comments"] == []  # an empty comment is no comment


def test_only_after_the_conversation(desk):
    token, url = desk.book()
    response = answer(desk, token, {"score": 5})
    assert response.status_code == 409
    assert response.json()["error"]["type"] == "WrongState"
    with api.env.adopt_roles(["Manager"]):
        api.content.transition(desk.appointment(url), transition="cancel")
    transaction.commit()
    assert answer(desk, token, {"score": 5}).status_code == 409
    assert answer(desk, "not-a-token", {"score": 5}).status_code == 404
    assert summary(desk)["count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "score"),
        ({"score": 0}, "score"),
        ({"score": 6}, "score"),
        ({"score": -1}, "score"),
        ({"score": 4.5}, "score"),
        ({"score": True}, "score"),
        ({"score": "vijf"}, "score"),
        ({"score": None}, "score"),
        ({"score": [4]}, "score"),
        ({"score": 4, "comment": 12}, "comment"),
        ({"score": 4, "comment": "x" * 1001}, "comment"),
        ({"score": 4, "comment": "bel\x07me"}, "comment"),
    ],
)
def test_bad_answers_change_nothing(desk, body, field):
    token, _url = completed(desk)
    response = answer(desk, token, body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "ValidationError"
    assert list(error["fields"]) == [field]
    assert desk.mine(token)["satisfaction_given"] is False
    assert summary(desk)["count"] == 0
    # Still open: a good answer afterwards is taken.
    assert answer(desk, token, {"score": 2, "comment": "x" * 1000}).status_code == 200


def test_bodies_that_are_no_answer(desk):
    token, _url = completed(desk)
    url = f"@appointment/{token}/satisfaction"
    assert desk.citizen.post(url, data="[4]", headers=JSON).status_code == 400
    assert desk.citizen.post(url, data="{", headers=JSON).status_code == 400
    assert desk.mine(token)["satisfaction_given"] is False


def test_nothing_personal_is_stored(desk):
    token, url = completed(desk)
    assert answer(desk, token, {"score": 2, "comment": "Lang gewacht."}).ok
    appointment = desk.appointment(url)
    product = desk.product_object()
    stored = satisfaction.answers(product)
    [(key, record)] = stored.comments.items()
    assert record == (today().isoformat(), 2, "Lang gewacht.")
    # The date alone (no time), and nothing that leads to the appointment.
    assert date.fromisoformat(record[0])
    personal = (appointment.getId(), "Fatima", "fatima@example.nl", token)
    assert not any(value in key for value in personal)
    assert not any(value in repr(record) for value in personal)
    # The appointment keeps that it was answered, not what.
    assert appointment.satisfaction_given is True
    assert [k for k in vars(appointment) if "score" in k or "comment" in k] == []
    assert "Lang gewacht." not in vars(appointment).values()


def test_who_sees_the_answers(desk, make_team, browser):
    token, _url = completed(desk)
    assert answer(desk, token, {"score": 5}).ok
    assert summary(desk, desk.manager)["count"] == 1
    carla = make_team("vergunningen", "carla")["carla"]
    response = carla.get(f"{desk.product}/@satisfaction", headers=JSON)
    assert response.status_code == 403
    assert response.json()["error"]["type"] == "Forbidden"
    assert browser.get(f"{desk.product}/@satisfaction", headers=JSON).status_code == 401


def test_a_product_without_answers(desk):
    assert summary(desk) == {
        "@id": f"{desk.product}/@satisfaction",
        "count": 0,
        "mean": None,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
        "comments": [],
    }


def test_a_copied_product_starts_without_answers(desk):
    token, _url = completed(desk)
    assert answer(desk, token, {"score": 1, "comment": "Te laat."}).ok
    product = desk.product_object()
    with api.env.adopt_roles(["Manager"]):
        copy = api.content.copy(source=product, target=api.portal.get(), id="kopie")
    assert satisfaction.summary(copy)["count"] == 0
    assert satisfaction.latest_comments(copy) == []
    assert satisfaction.summary(product)["count"] == 1
    transaction.abort()


def test_the_form_without_javascript(desk):
    _token, url = completed(desk)
    appointment = desk.appointment(url)
    with pytest.raises(errors.InvalidInput) as refused:
        satisfaction.handle_satisfaction_form(appointment, {"satisfaction": "1"})
    assert list(refused.value.fields) == ["score"]
    with pytest.raises(errors.InvalidInput) as refused:
        satisfaction.handle_satisfaction_form(
            appointment, {"score": "4", "comment": ["a", "b"]}
        )
    assert list(refused.value.fields) == ["comment"]
    satisfaction.handle_satisfaction_form(
        appointment, {"score": "4", "comment": "Goed.\r\nDank u.", "satisfaction": "1"}
    )
    [comment] = satisfaction.latest_comments(store.product_of(appointment))
    assert comment["comment"] == "Goed.\nDank u."
    with pytest.raises(satisfaction.AlreadyAnswered):
        satisfaction.handle_satisfaction_form(appointment, {"score": "5"})
    transaction.abort()


# --- at the same moment ---------------------------------------------------------------


def at_once(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_citizens_answer_at_the_same_moment(desk):
    first, _url = completed(desk, "10:00")
    second, _url = completed(desk, "11:00", email="jan@example.nl")
    responses = at_once(
        [
            lambda: answer(desk, first, {"score": 5, "comment": "Top."}),
            lambda: answer(desk, second, {"score": 5, "comment": "Prima."}),
        ]
    )
    assert [r.status_code for r in responses] == [200, 200]
    found = summary(desk)
    assert found["count"] == 2 and found["distribution"]["5"] == 2
    assert sorted(c["comment"] for c in found["comments"]) == ["Prima.", "Top."]


def test_a_double_click_counts_once(desk):
    token, _url = completed(desk)
    responses = at_once([lambda: answer(desk, token, {"score": 4})] * 2)
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert summary(desk)["count"] == 1


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("scores", [(4, 4), (1, 5)])
def test_answers_committed_at_once_are_merged_not_refused(tmp_path, scores, first):
    """In a real FileStorage: two transactions add to the same product's answers;
    the second commits without a ConflictError (ZODB merges both)."""
    db = ZODB.DB(FileStorage(str(tmp_path / "Data.fs")))
    try:
        setup = transaction.TransactionManager()
        connection = db.open(transaction_manager=setup)
        connection.root()["answers"] = Answers()
        if not first:
            connection.root()["answers"].add(date(2026, 12, 1), 3, "Eerste.")
        setup.commit()
        connection.close()
        managers = [transaction.TransactionManager() for _ in scores]
        connections = [db.open(transaction_manager=m) for m in managers]
        day = date(2026, 12, 3)
        for connection, score in zip(connections, scores, strict=True):
            connection.root()["answers"].add(day, score, f"Cijfer {score}.")
        for manager in managers:
            manager.commit()  # no ConflictError
        check = db.open()
        answers = check.root()["answers"]
        counts = {score: answers.counts[score]() for score in satisfaction.SCORES}
        expected = {1: 0, 2: 0, 3: 0 if first else 1, 4: 0, 5: 0}
        for score in scores:
            expected[score] += 1
        assert counts == expected
        assert len(answers.comments) == (2 if first else 3)
        check.close()
        for connection in connections:
            connection.close()
    finally:
        db.close()
