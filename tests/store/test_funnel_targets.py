"""Funnel step targets on SQLite and PostgreSQL: round trip, removal, stale edits, validation, workspace isolation."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from store import repo
from store.engine import read_session, unit_of_work
from store.errors import ConcurrentEditError, InvalidValueError
from tests.store.conftest import new_workspace

CART_ORDER = ("add_to_cart", "orders")
VISIT_CART = ("sessions", "add_to_cart")
VISIT_ORDER = ("sessions", "orders")


def stored(factory: sessionmaker[Session], workspace_id: int) -> dict[tuple[str, str], tuple[float, int]]:
    """{step: (rate, version)} as a fresh session reads it."""
    with read_session(factory) as session:
        return {(r.from_stage, r.stage): (r.target_rate, r.version) for r in repo.list_funnel_targets(session, workspace_id)}


def save(factory: sessionmaker[Session], workspace_id: int, targets: dict, expected: dict | None = None) -> None:
    with unit_of_work(factory) as session:
        repo.save_funnel_targets(session, workspace_id, targets, expected)


class TestFunnelTargets:
    def test_round_trip_keeps_each_step_apart(self, factory: sessionmaker[Session]) -> None:
        workspace_id = new_workspace(factory, "team")
        save(factory, workspace_id, {CART_ORDER: 0.6, VISIT_CART: 0.125, VISIT_ORDER: 0.05})
        assert stored(factory, workspace_id) == {CART_ORDER: (0.6, 1), VISIT_CART: (0.125, 1), VISIT_ORDER: (0.05, 1)}
        with read_session(factory) as session:
            row = repo.list_funnel_targets(session, workspace_id)[0]
        assert row.created_at.tzinfo is not None and row.updated_at >= row.created_at

    def test_changing_bumps_the_version_and_an_unchanged_value_does_not(self, factory: sessionmaker[Session]) -> None:
        workspace_id = new_workspace(factory, "team")
        save(factory, workspace_id, {CART_ORDER: 0.6, VISIT_CART: 0.1})
        save(factory, workspace_id, {CART_ORDER: 0.7, VISIT_CART: 0.1}, {CART_ORDER: 1, VISIT_CART: 1})
        assert stored(factory, workspace_id) == {CART_ORDER: (0.7, 2), VISIT_CART: (0.1, 1)}

    def test_none_removes_and_steps_not_given_are_left_alone(self, factory: sessionmaker[Session]) -> None:
        workspace_id = new_workspace(factory, "team")
        save(factory, workspace_id, {CART_ORDER: 0.6, VISIT_CART: 0.1})
        save(factory, workspace_id, {CART_ORDER: None}, {CART_ORDER: 1})
        assert stored(factory, workspace_id) == {VISIT_CART: (0.1, 1)}
        save(factory, workspace_id, {VISIT_ORDER: None})  # removing a target that does not exist is a no-op
        assert stored(factory, workspace_id) == {VISIT_CART: (0.1, 1)}

    @pytest.mark.parametrize(
        ("bob", "alice_expected"),
        [
            ({CART_ORDER: 0.65}, {CART_ORDER: 1}),  # Bob changed it after Alice opened the editor
            ({CART_ORDER: None}, {CART_ORDER: 1}),  # Bob removed it
            ({VISIT_CART: 0.2}, {}),  # Bob created a target Alice saw as blank
        ],
        ids=["changed", "removed", "created"],
    )
    def test_a_stale_save_is_refused_and_saves_nothing(
        self, factory: sessionmaker[Session], bob: dict, alice_expected: dict
    ) -> None:
        workspace_id = new_workspace(factory, "team")
        save(factory, workspace_id, {CART_ORDER: 0.6})
        save(factory, workspace_id, bob)
        after_bob = stored(factory, workspace_id)
        alice = {step: 0.9 for step in [*alice_expected, *bob]} | {VISIT_ORDER: 0.01}
        with pytest.raises(ConcurrentEditError, match="Someone else changed"):
            save(factory, workspace_id, alice, alice_expected)
        assert stored(factory, workspace_id) == after_bob  # Bob's change kept, and Alice's other step not saved

    def test_a_stale_object_written_directly_is_refused_by_the_version_column(
        self, factory: sessionmaker[Session]
    ) -> None:
        workspace_id = new_workspace(factory, "team")
        with unit_of_work(factory) as session:
            stale = repo.save_funnel_targets(session, workspace_id, {CART_ORDER: 0.6})[0]  # detached after commit
        save(factory, workspace_id, {CART_ORDER: 0.5})
        with pytest.raises(ConcurrentEditError), unit_of_work(factory) as session:
            session.add(stale)
            stale.target_rate = 0.9
        assert stored(factory, workspace_id) == {CART_ORDER: (0.5, 2)}

    @pytest.mark.parametrize(
        ("targets", "message"),
        [
            ({CART_ORDER: 1.5}, "between 0 and 100"),
            ({CART_ORDER: -0.1}, "between 0 and 100"),
            ({CART_ORDER: float("nan")}, "between 0 and 100"),
            ({("orders", "orders"): 0.5}, "one stage to another"),
            ({("", "orders"): 0.5}, "role name"),
            ({("x" * 33, "orders"): 0.5}, "role name"),
        ],
    )
    def test_invalid_targets_are_refused(self, factory: sessionmaker[Session], targets: dict, message: str) -> None:
        workspace_id = new_workspace(factory, "team")
        with pytest.raises(InvalidValueError, match=message):
            save(factory, workspace_id, {VISIT_CART: 0.1, **targets})
        assert stored(factory, workspace_id) == {}

    def test_workspace_a_never_sees_or_changes_b(self, factory: sessionmaker[Session]) -> None:
        a, b = new_workspace(factory, "a"), new_workspace(factory, "b")
        save(factory, a, {CART_ORDER: 0.6})
        save(factory, b, {CART_ORDER: 0.3})  # the same step in another workspace is another row
        assert stored(factory, a) == {CART_ORDER: (0.6, 1)}
        save(factory, a, {CART_ORDER: None}, {CART_ORDER: 1})
        assert stored(factory, a) == {}
        assert stored(factory, b) == {CART_ORDER: (0.3, 1)}

    def test_deleting_the_workspace_removes_its_targets(self, factory: sessionmaker[Session]) -> None:
        workspace_id = new_workspace(factory, "team")
        save(factory, workspace_id, {CART_ORDER: 0.6})
        with unit_of_work(factory) as session:
            session.delete(repo.get_workspace(session, workspace_id))
        assert stored(factory, workspace_id) == {}
