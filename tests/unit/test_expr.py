"""The formula language: what parses, what is refused (with the thing named and its column), and rendering."""

from __future__ import annotations

import pytest

from metrics.expr import (
    AggKind,
    Aggregate,
    Arith,
    Compare,
    FirstAvailable,
    Flag,
    Member,
    Negation,
    Number,
    PerGroup,
    compile_formula,
    parse,
    render,
    validate,
)


class TestParse:
    @pytest.mark.parametrize(
        ("formula", "expected"),
        [
            ("sum(revenue)", Aggregate(AggKind.SUM, "revenue")),
            ("count()", Aggregate(AggKind.COUNT)),
            ("orders()", Aggregate(AggKind.ORDERS)),
            ("sum(revenue) / sum(cost)", Arith("/", Aggregate(AggKind.SUM, "revenue"), Aggregate(AggKind.SUM, "cost"))),
            ("sum(cost) / sum(impressions) * 1000",
             Arith("*", Arith("/", Aggregate(AggKind.SUM, "cost"), Aggregate(AggKind.SUM, "impressions")), Number(1000.0))),
            ('sum(revenue, where=channel == "paid")',
             Aggregate(AggKind.SUM, "revenue", where=Compare("channel", "==", "paid"))),
            ("customers(where=churned)", Aggregate(AggKind.CUSTOMERS, where=Flag("churned"))),
            ("customers(where=not churned)", Aggregate(AggKind.CUSTOMERS, where=Negation(Flag("churned")))),
            ("count(where=score != None)", Aggregate(AggKind.COUNT, where=Compare("score", "!=", None))),
            ("share(score >= 9)", Aggregate(AggKind.SHARE, test=Compare("score", ">=", 9.0))),
            ('sum(sessions, where=medium in ("cpc", "paid"))',
             Aggregate(AggKind.SUM, "sessions", where=Member("medium", ("cpc", "paid")))),
            ("sum(revenue, where=revenue < -1)", Aggregate(AggKind.SUM, "revenue", where=Compare("revenue", "<", -1.0))),
            ("share_per(customer_id, count_distinct(product) >= 2)",
             PerGroup("share_per", "customer_id", Aggregate(AggKind.COUNT_DISTINCT, "product"), ">=", 2.0)),
            ("first_available(sum(sessions), sum(visitors))",
             FirstAvailable((Aggregate(AggKind.SUM, "sessions"), Aggregate(AggKind.SUM, "visitors")))),
        ],
    )
    def test_builds_the_tree(self, formula: str, expected: object) -> None:
        assert compile_formula(formula) == expected

    def test_same_aggregation_in_two_formulas_is_equal(self) -> None:
        """The engine computes an aggregation once per scope because equal parts compare equal."""
        a = compile_formula("sum(revenue) / orders()")
        b = compile_formula("sum(revenue) / sum(cost)")
        assert isinstance(a, Arith) and isinstance(b, Arith)
        assert a.left == b.left and hash(a.left) == hash(b.left)


class TestRefused:
    @pytest.mark.parametrize(
        ("formula", "fragment", "column"),
        [
            ("summ(revenue)", "unknown function 'summ'", 1),
            ("sum(revnue)", "unknown role 'revnue'", 5),
            ("sum(revenue) + foo", "unknown name 'foo'", 16),
            ("revenue / 2", "role 'revenue' must be inside an aggregation", 1),
            ("sum(revenue", "syntax error", 4),
            ("sum(revenue) ** 2", "operator ** is not allowed", 1),
            ("sum(revenue) % 2", "operator % is not allowed", 1),
            ("sum(revenue, by=channel)", "unknown keyword 'by'", 17),
            ("sum()", "sum() takes one role", 1),
            ("orders(revenue)", "orders() takes no argument", 1),
            ('sum(revenue, where=channel == "매출") + bar', "unknown name 'bar'", 39),
            ("sum(revenue, where=channel)", "", None),  # a bare role is a flag test: allowed
            ("sum(revenue, where=1 < score)", "expected a role name", 20),
            ('sum(revenue, where=channel == chan)', "expected a literal value", 31),
            ("sum(revenue, where=0 < score < 5)", "chain comparisons", 20),
            ("__import__('os').system('x')", "only the listed functions", 1),
            ("sum(revenue).real", "Attribute is not allowed", 1),
            ("[sum(revenue)]", "List is not allowed", 1),
            ("lambda: 1", "Lambda is not allowed", 1),
            ('"text"', "can only be compared", 1),
            ("True", "is not a number", 1),
            ("share_per(customer_id, sum(revenue))", "needs a comparison", 24),
            ("avg_per(customer_id, orders())", "works on sum, mean, count or count_distinct", 22),
            ("first_available(sum(sessions))", "two or more alternatives", 1),
            ("", "empty", None),
        ],
    )
    def test_names_the_problem_and_its_column(self, formula: str, fragment: str, column: int | None) -> None:
        issues = parse(formula).issues
        if not fragment:
            assert issues == ()
            return
        assert issues, f"{formula!r} should be refused"
        assert fragment in issues[0].message, issues[0].message
        assert issues[0].column == column
        assert issues[0].level == "error"

    def test_collects_every_problem_in_one_pass(self) -> None:
        issues = parse("summ(revenue) + sum(revnue) + sum(cost, by=x)").issues
        assert [i.code for i in issues] == ["unknown_function", "unknown_role", "keyword"]

    def test_never_evaluates_the_text(self) -> None:
        """A formula that would have side effects under eval is just refused."""
        result = parse("open('/etc/passwd').read()")
        assert result.expr is None and result.issues


class TestValidate:
    def test_warns_for_roles_the_data_lacks(self) -> None:
        issues = validate("orders() / sum(sessions)", {"order_id", "revenue"})
        assert [(i.level, i.code) for i in issues] == [("warning", "missing_role")]
        assert "'sessions'" in issues[0].message

    def test_accepts_extra_columns_the_user_has(self) -> None:
        assert validate('sum(revenue, where=gender == "F")', {"revenue", "gender"}) == []
        assert parse('sum(revenue, where=gender == "F")').issues[0].code == "unknown_role"

    def test_first_available_is_satisfied_by_any_alternative(self) -> None:
        assert validate("orders() / first_available(sum(sessions), sum(visitors))", {"orders", "visitors"}) == []

    def test_business_measure_asks_for_its_simplest_role(self) -> None:
        issues = validate("customers()", set())
        assert "'customer_id'" in issues[0].message


class TestRender:
    @pytest.mark.parametrize(
        "formula",
        [
            "sum(revenue) / sum(cost)",
            "sum(cost) / sum(impressions) * 1000",
            "-sum(revenue, where=revenue < 0) / sum(revenue, where=revenue > 0)",
            'customers(where=status in ("logged_in", "active")) / customers(where=status != None)',
            "share_per(customer_id, count_distinct(product) >= 2)",
            "(sum(revenue) - sum(cost)) / sum(cost)",
            'sum(revenue, where=(channel == "a" or channel == "b") and not churned)',
        ],
    )
    def test_round_trips(self, formula: str) -> None:
        tree = compile_formula(formula)
        assert compile_formula(render(tree)) == tree

    def test_uses_the_teams_column_names(self) -> None:
        text = render(compile_formula("sum(revenue) / sum(cost)"), {"revenue": "Total Charges", "cost": "Spent"})
        assert text == "sum([Total Charges]) / sum(Spent)"


class TestTeamColumnNames:
    """A marketer may write a formula with their own column names; it is stored in role names."""

    ALIASES = {"광고비": "cost", "클릭수": "clicks", "채널": "channel", "매출액": "revenue"}

    @pytest.mark.parametrize(
        ("formula", "expected"),
        [
            ("sum(광고비) / sum(클릭수)", "sum(cost) / sum(clicks)"),
            ('sum(매출액, where=채널 == "검색광고")', 'sum(revenue, where=channel == "검색광고")'),
            ("sum(revenue) / sum(광고비)", "sum(revenue) / sum(cost)"),
        ],
    )
    def test_aliases_become_roles(self, formula: str, expected: str) -> None:
        from metrics.expr import canonical

        assert canonical(formula, self.ALIASES) == expected

    def test_a_typo_in_a_column_name_points_at_it(self) -> None:
        from metrics.expr import validate

        issues = validate("sum(광고빅) / sum(클릭수)", {"cost", "clicks"}, self.ALIASES)
        assert [(i.code, i.column) for i in issues] == [("unknown_role", 5)]
        assert "광고빅" in issues[0].message

    def test_a_role_name_wins_over_an_alias_of_the_same_spelling(self) -> None:
        from metrics.expr import canonical

        assert canonical("sum(cost)", {"cost": "revenue"}) == "sum(cost)"
