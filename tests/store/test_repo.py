"""Repository behaviour on SQLite and PostgreSQL: durability, dedupe, mappings, targets, isolation, Korean text."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from store import repo
from store.engine import make_engine, read_session, session_factory, unit_of_work, upgrade
from store.errors import ConcurrentEditError, DuplicateError, InvalidValueError, NotFoundError
from store.models import KpiSelection
from tests.store.conftest import new_workspace

MB = 1024 * 1024
CSV = "날짜,채널,매출액\n2024-01-01,네이버,12000\n".encode()


class TestRestart:
    def test_a_restart_loses_nothing(self, db_url: str) -> None:
        first = make_engine(db_url)
        upgrade(first)
        factory = session_factory(first)
        with unit_of_work(factory) as session:
            workspace = repo.get_or_create_workspace(session, "shop", "쇼핑몰 팀")
            source = repo.save_source_file(session, workspace.id, "주간 매출.csv", CSV, {"sheet": None}).source
            repo.save_mapping(session, workspace.id, "sig-1", {"revenue": "매출액"})
            selection = repo.set_kpi_selection(session, workspace.id, "grow_revenue", ["revenue", "aov"])[0]
            repo.update_target(session, workspace.id, selection.id, selection.version, value=5_000_000.0)
            repo.save_custom_kpi(
                session, workspace.id, "naver_share", name="네이버 비중", formula="revenue / revenue",
                unit="percent", direction="up",
            )
            ids = (workspace.id, source.id)
        first.dispose()

        second = make_engine(db_url)
        upgrade(second)  # what the next start-up does: already at head, must not touch the data
        try:
            with read_session(session_factory(second)) as session:
                workspace_id, source_id = ids
                assert repo.get_workspace(session, workspace_id).name == "쇼핑몰 팀"
                assert repo.get_source_bytes(session, workspace_id, source_id) == CSV
                mapping = repo.find_mapping(session, workspace_id, "sig-1")
                assert mapping is not None and mapping.roles == {"revenue": "매출액"}
                targets = [(s.kpi_id, s.target_value) for s in repo.list_kpi_selections(session, workspace_id, "grow_revenue")]
                assert targets == [("revenue", 5_000_000.0), ("aov", None)]
                assert [k.name for k in repo.list_custom_kpis(session, workspace_id)] == ["네이버 비중"]
        finally:
            second.dispose()


class TestWorkspaces:
    def test_get_or_create_returns_the_same_row(self, factory: sessionmaker[Session]) -> None:
        first = new_workspace(factory, "team-a", "마케팅팀")
        again = new_workspace(factory, "team-a", "a different name")
        with read_session(factory) as session:
            assert first == again
            assert [(w.slug, w.name) for w in repo.list_workspaces(session)] == [("team-a", "마케팅팀")]

    @pytest.mark.parametrize("slug", ["", "Team", "a b", "x" * 65, "-lead", "a/b"])
    def test_bad_slug_is_refused(self, factory: sessionmaker[Session], slug: str) -> None:
        with pytest.raises(InvalidValueError, match="lowercase"), unit_of_work(factory) as session:
            repo.get_or_create_workspace(session, slug, "name")

    @pytest.mark.parametrize("slug", ["마케팅팀", "team-2024", "쇼핑몰_a"])
    def test_korean_and_plain_slugs_are_accepted(self, factory: sessionmaker[Session], slug: str) -> None:
        workspace_id = new_workspace(factory, slug, "이름")
        with read_session(factory) as session:
            assert repo.get_workspace(session, workspace_id).slug == slug

    @pytest.mark.parametrize("kpi_id", ["Repeat", "1st", "재구매", "a-b", ""])
    def test_bad_custom_kpi_id_is_refused(self, factory: sessionmaker[Session], kpi_id: str) -> None:
        workspace_id = new_workspace(factory, "team")
        with pytest.raises(InvalidValueError, match="KPI id"), unit_of_work(factory) as session:
            repo.save_custom_kpi(
                session, workspace_id, kpi_id, name="n", formula="orders", unit="count", direction="up"
            )

    def test_settings_round_trip_and_stale_settings_are_refused(self, factory: sessionmaker[Session]) -> None:
        workspace_id = new_workspace(factory, "team")
        with unit_of_work(factory) as session:
            version = repo.get_workspace(session, workspace_id).version
            repo.update_workspace_settings(session, workspace_id, goal_id="grow_revenue", language="en")
        with pytest.raises(ConcurrentEditError), unit_of_work(factory) as session:
            repo.update_workspace_settings(
                session, workspace_id, goal_id="retention", language="ko", expected_version=version
            )
        with read_session(factory) as session:
            stored = repo.get_workspace(session, workspace_id)
            assert (stored.goal_id, stored.language) == ("grow_revenue", "en")

    def test_timestamps_are_timezone_aware_utc(self, factory: sessionmaker[Session]) -> None:
        before = datetime.now(UTC)
        workspace_id = new_workspace(factory, "clock")
        with read_session(factory) as session:
            created = repo.get_workspace(session, workspace_id).created_at
        assert created.tzinfo is not None and created.utcoffset() == timedelta(0)
        assert before - timedelta(seconds=5) <= created <= datetime.now(UTC) + timedelta(seconds=5)


class TestSourceFiles:
    def test_same_bytes_twice_is_one_row(self, factory: sessionmaker[Session]) -> None:
        workspace_id = new_workspace(factory, "team")
        with unit_of_work(factory) as session:
            first = repo.save_source_file(session, workspace_id, "week1.csv", CSV)
            stored, created = first  # unpacks like a pair, for callers that prefer it
            assert (stored, created) == (first.source, True)
        with unit_of_work(factory) as session:
            second = repo.save_source_file(session, workspace_id, "renamed copy.csv", CSV)
        with unit_of_work(factory) as session:
            other = repo.save_source_file(session, workspace_id, "week2.csv", CSV + b"2024-01-02,x,1\n")
        assert (first.created, second.created, other.created) == (True, False, True)
        assert second.source.id == first.source.id and second.source.filename == "week1.csv"
        with read_session(factory) as session:
            listed = repo.list_source_files(session, workspace_id)
        assert [f.filename for f in listed] == ["week1.csv", "week2.csv"]
        assert listed[0].content_hash == hashlib.sha256(CSV).hexdigest()
        assert listed[0].size_bytes == len(CSV)

    def test_korean_filename_sheet_and_options_round_trip(self, factory: sessionmaker[Session]) -> None:
        workspace_id = new_workspace(factory, "team", "마케팅팀")
        options = {"sheet": "시트1", "header_row": 3, "overrides": [("revenue", "결제금액"), ("channel", "")]}
        with unit_of_work(factory) as session:
            saved = repo.save_source_file(
                session, workspace_id, "주간_매출 보고서(최종).xlsx", CSV, options, signature="abc123", grain="line"
            )
        with read_session(factory) as session:
            stored = repo.get_source_file(session, workspace_id, saved.source.id)
            assert stored.filename == "주간_매출 보고서(최종).xlsx"
            assert stored.sheet == "시트1"
            assert stored.options == {
                "sheet": "시트1", "header_row": 3, "overrides": [["revenue", "결제금액"], ["channel", ""]]
            }
            assert (stored.column_signature, stored.grain) == ("abc123", "line")

    def test_five_megabyte_blob_round_trips(self, factory: sessionmaker[Session]) -> None:
        workspace_id = new_workspace(factory, "team")
        blob = os.urandom(5 * MB)
        with unit_of_work(factory) as session:
            source_id = repo.save_source_file(session, workspace_id, "big.xlsx", blob).source.id
        with read_session(factory) as session:
            listed = repo.list_source_files(session, workspace_id)
            assert "data" not in listed[0].__dict__, "listing must not load the bytes"
            back = repo.get_source_bytes(session, workspace_id, source_id)
        assert len(back) == 5 * MB and hashlib.sha256(back).digest() == hashlib.sha256(blob).digest()

    def test_update_and_delete(self, factory: sessionmaker[Session]) -> None:
        workspace_id = new_workspace(factory, "team")
        with unit_of_work(factory) as session:
            source_id = repo.save_source_file(session, workspace_id, "a.xlsx", CSV).source.id
        with unit_of_work(factory) as session:
            repo.update_source_options(session, workspace_id, source_id, {"sheet": "Data"})
            repo.set_source_parse_info(session, workspace_id, source_id, "sig", "aggregate")
        with unit_of_work(factory) as session:
            stored = repo.get_source_file(session, workspace_id, source_id)
            assert (stored.sheet, stored.grain, stored.options["header_row"]) == ("Data", "aggregate", None)
            repo.delete_source_file(session, workspace_id, source_id)
        with pytest.raises(NotFoundError, match="no longer"), unit_of_work(factory) as session:
            repo.delete_source_file(session, workspace_id, source_id)

    def test_unknown_workspace_is_not_found(self, factory: sessionmaker[Session]) -> None:
        with pytest.raises(NotFoundError), unit_of_work(factory) as session:
            repo.save_source_file(session, 424242, "a.csv", CSV)


class TestMappings:
    def test_mapping_is_remembered_per_signature(self, factory: sessionmaker[Session]) -> None:
        workspace_id = new_workspace(factory, "team")
        with unit_of_work(factory) as session:
            repo.save_mapping(session, workspace_id, "sig-shop", {"revenue": "결제금액", "date": "주문일"})
            repo.save_mapping(session, workspace_id, "sig-ads", {"cost": "광고비"})
        with unit_of_work(factory) as session:  # next week the user corrects one role
            repo.save_mapping(session, workspace_id, "sig-shop", {"revenue": "매출액", "date": "주문일"})
        with read_session(factory) as session:
            shop = repo.find_mapping(session, workspace_id, "sig-shop")
            ads = repo.find_mapping(session, workspace_id, "sig-ads")
            assert shop is not None and shop.roles == {"revenue": "매출액", "date": "주문일"}
            assert ads is not None and ads.roles == {"cost": "광고비"}
            assert repo.find_mapping(session, workspace_id, "sig-unknown") is None


class TestTargets:
    def _selection(self, factory: sessionmaker[Session]) -> tuple[int, KpiSelection]:
        workspace_id = new_workspace(factory, "team")
        with unit_of_work(factory) as session:
            rows = repo.set_kpi_selection(session, workspace_id, "grow_revenue", ["revenue", "roas"])
        return workspace_id, rows[0]

    def test_stale_target_edit_fails_and_keeps_the_first_edit(self, factory: sessionmaker[Session]) -> None:
        workspace_id, seen = self._selection(factory)  # both people opened the page and saw this version
        with unit_of_work(factory) as bob:
            repo.update_target(bob, workspace_id, seen.id, seen.version, value=100.0, kind="at_least", period="week")
        with pytest.raises(ConcurrentEditError, match="Someone else changed"), unit_of_work(factory) as alice:
            repo.update_target(alice, workspace_id, seen.id, seen.version, value=999.0)
        with read_session(factory) as session:
            stored = repo.list_kpi_selections(session, workspace_id, "grow_revenue")[0]
        assert (stored.target_value, stored.target_kind, stored.target_period) == (100.0, "at_least", "week")
        assert stored.version == seen.version + 1

    def test_stale_object_saved_directly_is_refused_by_the_version_column(
        self, factory: sessionmaker[Session]
    ) -> None:
        """Code that bypasses update_target still cannot overwrite: version_id_col guards the UPDATE itself."""
        workspace_id, stale = self._selection(factory)  # detached, version as read
        with unit_of_work(factory) as bob:
            repo.update_target(bob, workspace_id, stale.id, stale.version, value=1.0)
        with pytest.raises(ConcurrentEditError), unit_of_work(factory) as alice:
            alice.add(stale)
            stale.target_value = 2.0
        with read_session(factory) as session:
            assert repo.list_kpi_selections(session, workspace_id, "grow_revenue")[0].target_value == 1.0

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [("kind", "about", "Target kind"), ("period", "year", "Target period"), ("value", float("nan"), "finite")],
    )
    def test_invalid_target_is_refused(
        self, factory: sessionmaker[Session], field: str, value: object, message: str
    ) -> None:
        workspace_id, seen = self._selection(factory)
        arguments: dict[str, object] = {"value": 1.0, field: value}
        with pytest.raises(InvalidValueError, match=message), unit_of_work(factory) as session:
            repo.update_target(session, workspace_id, seen.id, seen.version, **arguments)  # type: ignore[arg-type]

    def test_reselecting_keeps_targets_and_follows_the_new_order(self, factory: sessionmaker[Session]) -> None:
        workspace_id, revenue = self._selection(factory)
        with unit_of_work(factory) as session:
            repo.update_target(session, workspace_id, revenue.id, revenue.version, value=7.0, kind="at_most")
        with unit_of_work(factory) as session:
            rows = repo.set_kpi_selection(session, workspace_id, "grow_revenue", ["ctr", "revenue"])
        assert [(r.kpi_id, r.position, r.target_value) for r in rows] == [("ctr", 0, None), ("revenue", 1, 7.0)]

    def test_duplicate_kpi_in_one_selection_is_refused(self, factory: sessionmaker[Session]) -> None:
        workspace_id = new_workspace(factory, "team")
        with pytest.raises(InvalidValueError), unit_of_work(factory) as session:
            repo.set_kpi_selection(session, workspace_id, "g", ["revenue", "revenue"])


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_interleaved_sessions_on_postgres(db_url: str) -> None:
    """Two live transactions (possible on PostgreSQL; SQLite's BEGIN IMMEDIATE queues them instead)."""
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    try:
        workspace_id = new_workspace(factory, "team")
        with unit_of_work(factory) as session:
            selection_id = repo.set_kpi_selection(session, workspace_id, "g", ["revenue"])[0].id
        with pytest.raises(ConcurrentEditError), unit_of_work(factory) as alice:
            mine = alice.get(KpiSelection, selection_id)
            assert mine is not None
            with unit_of_work(factory) as bob:
                repo.update_target(bob, workspace_id, selection_id, mine.version, value=5.0)
            mine.target_value = 6.0  # flushed at alice's commit: UPDATE ... WHERE version = <stale>
        with read_session(factory) as session:
            assert repo.list_kpi_selections(session, workspace_id, "g")[0].target_value == 5.0
    finally:
        engine.dispose()


class TestCustomKpis:
    FIELDS = {"name": "재구매율 (30일)", "formula": "repeat_orders / orders", "unit": "percent", "direction": "up"}

    def test_create_edit_and_stale_edit(self, factory: sessionmaker[Session]) -> None:
        workspace_id = new_workspace(factory, "team")
        with unit_of_work(factory) as session:
            created = repo.save_custom_kpi(session, workspace_id, "repeat_30d", **self.FIELDS)
        with unit_of_work(factory) as session:
            edited = repo.save_custom_kpi(
                session, workspace_id, "repeat_30d", **{**self.FIELDS, "name": "재구매율"},
                expected_version=created.version,
            )
        with pytest.raises(ConcurrentEditError), unit_of_work(factory) as session:
            repo.save_custom_kpi(session, workspace_id, "repeat_30d", **self.FIELDS, expected_version=created.version)
        with read_session(factory) as session:
            assert [(k.kpi_id, k.name, k.version) for k in repo.list_custom_kpis(session, workspace_id)] == [
                ("repeat_30d", "재구매율", edited.version)
            ]

    def test_creating_a_taken_id_is_a_duplicate(self, factory: sessionmaker[Session]) -> None:
        workspace_id = new_workspace(factory, "team")
        with unit_of_work(factory) as session:
            repo.save_custom_kpi(session, workspace_id, "repeat_30d", **self.FIELDS)
        with pytest.raises(DuplicateError, match="repeat_30d"), unit_of_work(factory) as session:
            repo.save_custom_kpi(session, workspace_id, "repeat_30d", **self.FIELDS)

    def test_delete_removes_its_selections(self, factory: sessionmaker[Session]) -> None:
        workspace_id = new_workspace(factory, "team")
        with unit_of_work(factory) as session:
            repo.save_custom_kpi(session, workspace_id, "mine", **self.FIELDS)
            repo.set_kpi_selection(session, workspace_id, "g", ["revenue", "mine"])
        with unit_of_work(factory) as session:
            repo.delete_custom_kpi(session, workspace_id, "mine")
        with read_session(factory) as session:
            assert repo.list_custom_kpis(session, workspace_id) == []
            assert [s.kpi_id for s in repo.list_kpi_selections(session, workspace_id, "g")] == ["revenue"]


class TestWorkspaceIsolation:
    def test_workspace_a_never_sees_b(self, factory: sessionmaker[Session], engine: Engine) -> None:
        ids = {slug: new_workspace(factory, slug) for slug in ("a", "b")}
        made: dict[str, dict[str, int]] = {}
        for slug, workspace_id in ids.items():
            with unit_of_work(factory) as session:
                source = repo.save_source_file(session, workspace_id, f"{slug}.csv", CSV).source  # same bytes
                repo.save_mapping(session, workspace_id, "same-sig", {"revenue": f"{slug}-col"})
                selection = repo.set_kpi_selection(session, workspace_id, "g", ["revenue"])[0]
                repo.save_custom_kpi(session, workspace_id, "same_id", **{**TestCustomKpis.FIELDS, "name": slug})
                made[slug] = {"source": source.id, "selection": selection.id, "version": selection.version}
        a, b = ids["a"], ids["b"]
        assert made["a"]["source"] != made["b"]["source"], "dedupe must not cross workspaces"

        with read_session(factory) as session:
            assert [f.filename for f in repo.list_source_files(session, a)] == ["a.csv"]
            mapping = repo.find_mapping(session, a, "same-sig")
            assert mapping is not None and mapping.roles == {"revenue": "a-col"}
            assert [s.id for s in repo.list_kpi_selections(session, a, "g")] == [made["a"]["selection"]]
            assert [k.name for k in repo.list_custom_kpis(session, a)] == ["a"]
            with pytest.raises(NotFoundError):
                repo.get_source_bytes(session, a, made["b"]["source"])
            with pytest.raises(NotFoundError):
                repo.get_source_file(session, a, made["b"]["source"])
        for attempt in (
            lambda s: repo.update_target(s, a, made["b"]["selection"], made["b"]["version"], value=1.0),
            lambda s: repo.delete_source_file(s, a, made["b"]["source"]),
            lambda s: repo.update_source_options(s, a, made["b"]["source"], {"sheet": "x"}),
            lambda s: repo.set_source_parse_info(s, a, made["b"]["source"], "sig", "line"),
        ):
            with pytest.raises(NotFoundError), unit_of_work(factory) as session:
                attempt(session)
        with unit_of_work(factory) as session:
            repo.delete_custom_kpi(session, a, "same_id")
        with read_session(factory) as session:
            assert [k.name for k in repo.list_custom_kpis(session, b)] == ["b"]
            assert repo.get_source_bytes(session, b, made["b"]["source"]) == CSV
            assert repo.list_kpi_selections(session, b, "g")[0].target_value is None
