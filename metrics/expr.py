"""The KPI formula language: one small, closed grammar for catalog KPIs and the KPIs users write themselves.

A formula is a Python-looking expression read with `ast` and checked against a whitelist; it is never `eval`ed.
Only these forms exist (everything else is an error that names the thing and its column):

    numbers, + - * /, unary -, parentheses
    sum(role) mean(role) count_distinct(role) count()          row aggregations of the fact holding the roles
    share(condition)                                           fraction of rows (with the roles known) where it holds
    nps(score)                                                 100 × (share 9–10 − share 0–6) of 0–10 answers
    orders() order_revenue() customers() repeat_customers()    DESIGN.md's grain-aware business measures
    leads() deals()
    avg_per(group, agg) · share_per(group, agg >= n)           per customer (or other id) first, then averaged
    first_available(a, b, …)                                   the first alternative the data can measure

Every aggregation takes an optional `where=condition`; conditions compare a role with a literal
(`channel == "paid"`, `score >= 9`, `medium in ("cpc", "paid")`, `customer_id != None`), test a flag (`churned`),
and combine with `and`, `or`, `not`. String comparisons ignore case and surrounding spaces, because the same
channel is typed "Paid" in one export and "paid " in the next.

Why a closed grammar: a user's KPI must be safe to run on the server, explainable to a marketer, and bound to
roles so it survives next week's upload with renamed columns. The tree is frozen dataclasses, so identical
aggregations in different KPIs are equal and the engine computes them once.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, assert_never

from metrics.roles import ALL_ROLES, ENTITY_MEASURES

Level = Literal["error", "warning"]
ArithOp = Literal["+", "-", "*", "/"]
CompareOp = Literal["==", "!=", "<", "<=", ">", ">="]
Literal_ = float | str | bool | None

KNOWN_ROLES: frozenset[str] = frozenset(ALL_ROLES) | frozenset(ENTITY_MEASURES)


class AggKind(StrEnum):
    """Every aggregation the language has. A new kind must be handled wherever `match` dispatches on it."""

    SUM = "sum"
    MEAN = "mean"
    COUNT = "count"
    COUNT_DISTINCT = "count_distinct"
    SHARE = "share"
    NPS = "nps"
    ORDERS = "orders"
    ORDER_REVENUE = "order_revenue"
    CUSTOMERS = "customers"
    REPEAT_CUSTOMERS = "repeat_customers"
    LEADS = "leads"
    DEALS = "deals"


#: Aggregations that read one role given as their first argument.
ROLE_AGGS: frozenset[AggKind] = frozenset({AggKind.SUM, AggKind.MEAN, AggKind.COUNT_DISTINCT, AggKind.NPS})
#: Aggregations whose meaning depends on the grain (DESIGN.md's KPI table); they take no positional argument.
BUSINESS_AGGS: frozenset[AggKind] = frozenset({
    AggKind.ORDERS, AggKind.ORDER_REVENUE, AggKind.CUSTOMERS, AggKind.REPEAT_CUSTOMERS, AggKind.LEADS, AggKind.DEALS,
})
#: For the business measures: the role sets that can each supply it, best first. The first set is what a user
#: is told to add when none is present.
REQUIREMENTS: Mapping[AggKind, tuple[tuple[str, ...], ...]] = {
    AggKind.ORDERS: (("order_id",), ("orders",)),
    AggKind.ORDER_REVENUE: (("order_id", "revenue"), ("revenue",)),
    AggKind.CUSTOMERS: (("customer_id",), ("customers",)),
    AggKind.REPEAT_CUSTOMERS: (("customer_id", "order_id"),),
    AggKind.LEADS: (("leads",),),
    AggKind.DEALS: (("deals",),),
}
GROUP_FUNCS: frozenset[str] = frozenset({"avg_per", "share_per"})
FIRST_AVAILABLE = "first_available"
ALL_FUNCTIONS: tuple[str, ...] = (*(k.value for k in AggKind), *sorted(GROUP_FUNCS), FIRST_AVAILABLE)


# ---------------------------------------------------------------------------------------------------- the tree


@dataclass(frozen=True, slots=True)
class Compare:
    """`role op literal`; `None` as the literal tests for a blank (`!= None` = the value is known)."""

    role: str
    op: CompareOp
    value: Literal_


@dataclass(frozen=True, slots=True)
class Member:
    """`role in (a, b, ...)` or `role not in (...)`."""

    role: str
    values: tuple[Literal_, ...]
    negate: bool = False


@dataclass(frozen=True, slots=True)
class Flag:
    """A bare role used as a condition: true for yes/예/1/true."""

    role: str


@dataclass(frozen=True, slots=True)
class AllOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Negation:
    """`not condition`: rows where the condition's roles are known and it does not hold."""

    part: Condition


Condition = Compare | Member | Flag | AllOf | AnyOf | Negation


@dataclass(frozen=True, slots=True)
class Number:
    value: float


@dataclass(frozen=True, slots=True)
class Arith:
    op: ArithOp
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Expr


@dataclass(frozen=True, slots=True)
class Aggregate:
    """One aggregation over the rows of one fact. `test` is share's condition; `where` filters the rows first."""

    kind: AggKind
    role: str | None = None
    test: Condition | None = None
    where: Condition | None = None


@dataclass(frozen=True, slots=True)
class PerGroup:
    """`avg_per(group, inner)` or `share_per(group, inner op threshold)`: the inner aggregation per group id."""

    func: Literal["avg_per", "share_per"]
    group: str
    inner: Aggregate
    op: CompareOp | None = None
    threshold: float | None = None


@dataclass(frozen=True, slots=True)
class FirstAvailable:
    options: tuple[Expr, ...]


Expr = Number | Arith | Negate | Aggregate | PerGroup | FirstAvailable


@dataclass(frozen=True, slots=True)
class ExprIssue:
    """A problem in a formula; `column` is 1-based (where a text editor would put the cursor), None if global."""

    level: Level
    message: str
    column: int | None = None
    code: str = ""


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The tree when the formula is usable (no errors), plus every issue found in one pass."""

    formula: str
    expr: Expr | None
    issues: tuple[ExprIssue, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.expr is not None


class FormulaError(ValueError):
    """Raised only by `compile_formula`, for code paths (the catalog) where a bad formula is a programming error."""

    def __init__(self, formula: str, issues: Iterable[ExprIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__(f"{formula!r}: " + "; ".join(i.message for i in self.issues))


# ---------------------------------------------------------------------------------------------------- parsing

_ARITH: Mapping[type[ast.operator], ArithOp] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_OPERATOR_NAMES: Mapping[type[ast.operator], str] = {
    ast.Pow: "**", ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
    ast.LShift: "<<", ast.RShift: ">>",
}
_COMPARE: Mapping[type[ast.cmpop], CompareOp] = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
}


def parse(formula: str, extra_names: Iterable[str] = (), aliases: Mapping[str, str] | None = None) -> ParseResult:
    """Reads a formula into the tree, collecting every problem rather than stopping at the first.

    `extra_names` are names the caller accepts besides canonical roles (a team's unmapped columns, say);
    `aliases` maps a team's own column names to the roles they play, so `sum(광고비)` reads as `sum(cost)`: a
    marketer writes a KPI in the words of their spreadsheet. A role name always wins over an alias.
    """
    if not formula or not formula.strip():
        return ParseResult(formula, None, (ExprIssue("error", "the formula is empty", None, "empty"),))
    try:
        tree = ast.parse(formula.strip(), mode="eval")
    except SyntaxError as exc:
        column = exc.offset if exc.offset is not None else None
        reason = exc.msg.split(" (")[0]
        return ParseResult(formula, None, (ExprIssue("error", f"syntax error at column {column}: {reason}", column, "syntax"),))
    parser = _Parser(formula.strip(), frozenset(extra_names), aliases or {})
    expr = parser.expr(tree.body)
    if parser.issues:
        return ParseResult(formula, None, tuple(parser.issues))
    return ParseResult(formula, expr, ())


def compile_formula(formula: str) -> Expr:
    """The tree of a formula that must be valid (catalog definitions); raises FormulaError listing every issue."""
    result = parse(formula)
    if result.expr is None:
        raise FormulaError(formula, result.issues)
    return result.expr


def validate(
    formula: str, available_roles: Iterable[str], aliases: Mapping[str, str] | None = None
) -> list[ExprIssue]:
    """Every issue of a user's formula: errors that stop it, and warnings for roles the data does not have yet.

    Names in `available_roles` that are not canonical roles (a team's extra columns) are accepted in conditions;
    `aliases` (column name → role) lets the formula use the team's own column names.
    """
    available = frozenset(available_roles)
    result = parse(formula, extra_names=available - KNOWN_ROLES, aliases=aliases)
    if result.expr is None:
        return list(result.issues)
    return [
        ExprIssue("warning", f"needs {role!r}, which the data does not have yet", None, "missing_role")
        for role in missing_roles(result.expr, available)
    ]


class _Parser:
    """Turns a Python `ast` into the formula tree, recording an issue for every form outside the whitelist."""

    def __init__(self, text: str, extra_names: frozenset[str], aliases: Mapping[str, str]) -> None:
        self.text = text
        self.names = KNOWN_ROLES | extra_names
        self.aliases = {alias: role for alias, role in aliases.items() if alias not in self.names and role in KNOWN_ROLES}
        self.issues: list[ExprIssue] = []

    def fail(self, node: ast.AST | None, message: str, code: str) -> None:
        column = self.column(node)
        where = f" at column {column}" if column is not None else ""
        self.issues.append(ExprIssue("error", f"{message}{where}", column, code))

    def column(self, node: ast.AST | None) -> int | None:
        """1-based character column (ast gives UTF-8 byte offsets, which differ for Korean text)."""
        if node is None or not hasattr(node, "col_offset"):
            return None
        lines = self.text.splitlines() or [""]
        line = lines[min(node.lineno - 1, len(lines) - 1)]
        return len(line.encode("utf-8")[: node.col_offset].decode("utf-8", errors="ignore")) + 1

    # -- numeric expressions

    def expr(self, node: ast.expr) -> Expr | None:
        match node:
            case ast.Constant(value=bool()):
                self.fail(node, f"{node.value} is not a number", "literal")
            case ast.Constant(value=int() | float() as value):
                return Number(float(value))
            case ast.Constant():
                self.fail(node, f"{node.value!r} can only be compared with a role inside a condition", "literal")
            case ast.BinOp(op=op) if type(op) in _ARITH:
                left, right = self.expr(node.left), self.expr(node.right)
                return Arith(_ARITH[type(op)], left, right) if left and right else None
            case ast.BinOp():
                symbol = _OPERATOR_NAMES.get(type(node.op), type(node.op).__name__)
                self.fail(node, f"operator {symbol} is not allowed (use + - * /)", "operator")
            case ast.UnaryOp(op=ast.USub()):
                operand = self.expr(node.operand)
                return Negate(operand) if operand else None
            case ast.UnaryOp(op=ast.UAdd()):
                return self.expr(node.operand)
            case ast.Call():
                return self.call(node)
            case ast.Name(id=name) if name in self.names or name in self.aliases:
                self.fail(node, f"role {name!r} must be inside an aggregation, e.g. sum({name})", "bare_role")
            case ast.Name(id=name):
                self.fail(node, f"unknown name {name!r}", "unknown_role")
            case _:
                self.fail(node, f"{type(node).__name__} is not allowed in a formula", "syntax")
        return None

    def call(self, node: ast.Call) -> Expr | None:
        if not isinstance(node.func, ast.Name):
            self.fail(node, "only the listed functions can be called", "unknown_function")
            return None
        name = node.func.id
        if name == FIRST_AVAILABLE:
            return self.first_available(node)
        if name in GROUP_FUNCS:
            return self.per_group(node)
        if name not in AggKind.__members__.values():
            self.fail(node, f"unknown function {name!r} (known: {', '.join(ALL_FUNCTIONS)})", "unknown_function")
            return None
        return self.aggregate(node, AggKind(name))

    def aggregate(self, node: ast.Call, kind: AggKind) -> Aggregate | None:
        before = len(self.issues)
        where = self.where_keyword(node)
        role: str | None = None
        test: Condition | None = None
        expected = 1 if kind in ROLE_AGGS or kind is AggKind.SHARE else 0
        if len(node.args) != expected:
            what = "one role" if kind in ROLE_AGGS else "one condition" if kind is AggKind.SHARE else "no argument"
            self.fail(node, f"{kind.value}() takes {what} (besides where=)", "arguments")
        elif kind in ROLE_AGGS:
            role = self.role(node.args[0])
        elif kind is AggKind.SHARE:
            test = self.condition(node.args[0])
        if len(self.issues) > before:
            return None
        return Aggregate(kind, role, test, where)

    def where_keyword(self, node: ast.Call) -> Condition | None:
        where: Condition | None = None
        for keyword in node.keywords:
            if keyword.arg != "where":
                self.fail(keyword.value, f"unknown keyword {keyword.arg or '**'!r} (only where=)", "keyword")
                continue
            where = self.condition(keyword.value)
        return where

    def per_group(self, node: ast.Call) -> PerGroup | None:
        func: Literal["avg_per", "share_per"] = "avg_per" if node.func.id == "avg_per" else "share_per"  # type: ignore[attr-defined]
        if node.keywords:
            self.fail(node.keywords[0].value, f"{func}() takes no keywords; put where= on the inner aggregation", "keyword")
        if len(node.args) != 2:
            self.fail(node, f"{func}() takes a group role and an aggregation", "arguments")
            return None
        group = self.role(node.args[0])
        inner_node = node.args[1]
        op: CompareOp | None = None
        threshold: float | None = None
        if func == "share_per":
            if not (isinstance(inner_node, ast.Compare) and len(inner_node.ops) == 1 and type(inner_node.ops[0]) in _COMPARE):
                self.fail(inner_node, "share_per() needs a comparison such as count_distinct(product) >= 2", "arguments")
                return None
            op = _COMPARE[type(inner_node.ops[0])]
            threshold_node = inner_node.comparators[0]
            if isinstance(threshold_node, ast.Constant) and isinstance(threshold_node.value, int | float):
                threshold = float(threshold_node.value)
            else:
                self.fail(threshold_node, "the threshold must be a number", "literal")
            inner_node = inner_node.left
        inner = self.expr(inner_node)
        if inner is not None and not (isinstance(inner, Aggregate) and inner.kind in _GROUPABLE):
            self.fail(inner_node, f"{func}() works on sum, mean, count or count_distinct", "arguments")
            return None
        if group is None or inner is None or (func == "share_per" and threshold is None):
            return None
        assert isinstance(inner, Aggregate)
        return PerGroup(func, group, inner, op, threshold)

    def first_available(self, node: ast.Call) -> FirstAvailable | None:
        if len(node.args) < 2 or node.keywords:
            self.fail(node, "first_available() takes two or more alternatives", "arguments")
            return None
        options = [self.expr(a) for a in node.args]
        if any(o is None for o in options):
            return None
        return FirstAvailable(tuple(o for o in options if o is not None))

    def role(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return node.id
            if node.id in self.aliases:
                return self.aliases[node.id]
            self.fail(node, f"unknown role {node.id!r}", "unknown_role")
            return None
        self.fail(node, "expected a role name here", "arguments")
        return None

    # -- conditions

    def condition(self, node: ast.expr) -> Condition | None:
        match node:
            case ast.BoolOp(op=ast.And() | ast.Or() as op):
                parts = [self.condition(v) for v in node.values]
                if any(p is None for p in parts):
                    return None
                kept = tuple(p for p in parts if p is not None)
                return AllOf(kept) if isinstance(op, ast.And) else AnyOf(kept)
            case ast.UnaryOp(op=ast.Not()):
                part = self.condition(node.operand)
                return Negation(part) if part else None
            case ast.Name():
                role = self.role(node)
                return Flag(role) if role else None
            case ast.Compare():
                return self.comparison(node)
            case _:
                self.fail(node, "expected a condition such as channel == \"paid\"", "condition")
                return None

    def comparison(self, node: ast.Compare) -> Condition | None:
        if len(node.ops) != 1:
            self.fail(node, "chain comparisons with 'and' (a >= 1 and a <= 5)", "condition")
            return None
        role = self.role(node.left)
        op, right = node.ops[0], node.comparators[0]
        if isinstance(op, ast.In | ast.NotIn):
            values = self.literals(right)
            if role is None or values is None:
                return None
            return Member(role, values, negate=isinstance(op, ast.NotIn))
        if type(op) not in _COMPARE:
            self.fail(node, f"comparison {type(op).__name__} is not allowed", "condition")
            return None
        value = self.literal(right)
        if role is None or value is _INVALID:
            return None
        return Compare(role, _COMPARE[type(op)], value)  # type: ignore[arg-type]

    def literals(self, node: ast.expr) -> tuple[Literal_, ...] | None:
        if not isinstance(node, ast.Tuple | ast.List | ast.Set):
            self.fail(node, "'in' needs a list of values, e.g. (\"cpc\", \"paid\")", "literal")
            return None
        values = [self.literal(e) for e in node.elts]
        return None if any(v is _INVALID for v in values) else tuple(values)  # type: ignore[misc]

    def literal(self, node: ast.expr) -> Literal_ | object:
        if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool | type(None)):
            return float(node.value) if isinstance(node.value, int) and not isinstance(node.value, bool) else node.value
        negative = isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
        operand = node.operand if isinstance(node, ast.UnaryOp) else None
        if negative and isinstance(operand, ast.Constant) and type(operand.value) in (int, float):
            return -float(operand.value)
        self.fail(node, "expected a literal value (a number, \"text\", True, False or None)", "literal")
        return _INVALID


_INVALID = object()
_GROUPABLE = frozenset({AggKind.SUM, AggKind.MEAN, AggKind.COUNT, AggKind.COUNT_DISTINCT})


# ---------------------------------------------------------------------------------------------------- analysis


def condition_roles(condition: Condition | None) -> frozenset[str]:
    """Roles a condition reads."""
    match condition:
        case None:
            return frozenset()
        case Compare(role=role) | Member(role=role) | Flag(role=role):
            return frozenset({role})
        case AllOf(parts=parts) | AnyOf(parts=parts):
            return frozenset().union(*(condition_roles(p) for p in parts))
        case Negation(part=part):
            return condition_roles(part)
        case _:
            assert_never(condition)


def aggregate_roles(agg: Aggregate) -> frozenset[str]:
    """Roles every supplying fact must hold for this aggregation, not counting a business measure's own roles."""
    own = frozenset({agg.role}) if agg.role else frozenset()
    return own | condition_roles(agg.test) | condition_roles(agg.where)


def aggregates(expr: Expr) -> Iterable[Aggregate | PerGroup]:
    """Every aggregation in a formula, left to right (first_available alternatives included)."""
    match expr:
        case Number():
            return
        case Arith(left=left, right=right):
            yield from aggregates(left)
            yield from aggregates(right)
        case Negate(operand=operand):
            yield from aggregates(operand)
        case Aggregate() | PerGroup():
            yield expr
        case FirstAvailable(options=options):
            for option in options:
                yield from aggregates(option)
        case _:
            assert_never(expr)


def missing_roles(expr: Expr, available: frozenset[str]) -> tuple[str, ...]:
    """Roles the formula needs that `available` lacks, judged role by role (not fact by fact)."""
    missing: dict[str, None] = {}
    for role in _needed(expr, available):
        if role not in available:
            missing[role] = None
    return tuple(missing)


def _needed(expr: Expr, available: frozenset[str]) -> list[str]:
    match expr:
        case Number():
            return []
        case Arith(left=left, right=right):
            return _needed(left, available) + _needed(right, available)
        case Negate(operand=operand):
            return _needed(operand, available)
        case Aggregate():
            return [*_business_roles(expr.kind, available), *sorted(aggregate_roles(expr))]
        case PerGroup(group=group, inner=inner):
            return [group, *_needed(inner, available)]
        case FirstAvailable(options=options):
            for option in options:
                if not missing_roles(option, available):
                    return _needed(option, available)
            return _needed(options[0], available)
        case _:
            assert_never(expr)


def _business_roles(kind: AggKind, available: frozenset[str]) -> tuple[str, ...]:
    alternatives = REQUIREMENTS.get(kind, ())
    for roles in alternatives:
        if available.issuperset(roles):
            return roles
    return alternatives[0] if alternatives else ()


# ---------------------------------------------------------------------------------------------------- rendering


def canonical(formula: str, aliases: Mapping[str, str], extra_names: Iterable[str] = ()) -> str | None:
    """The formula written with role names only (what is stored), or None when it does not parse.

    Why store roles: next week's upload may name the column differently; the role binding is what lasts.
    """
    result = parse(formula, extra_names=extra_names, aliases=aliases)
    return None if result.expr is None else render(result.expr)


def render(expr: Expr, columns: Mapping[str, str] | None = None) -> str:
    """The formula as text, roles replaced by the team's own column names (`[Total Charges]` when not a name)."""
    columns = columns or {}
    return _render(expr, columns, 0)


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def _render(expr: Expr, columns: Mapping[str, str], parent: int) -> str:
    match expr:
        case Number(value=value):
            return f"{value:g}"
        case Arith(op=op, left=left, right=right):
            own = _PRECEDENCE[op]
            text = f"{_render(left, columns, own)} {op} {_render(right, columns, own + 1)}"
            return f"({text})" if own < parent else text
        case Negate(operand=operand):
            return f"-{_render(operand, columns, 3)}"
        case Aggregate():
            return _render_agg(expr, columns)
        case PerGroup(func=func, group=group, inner=inner, op=op, threshold=threshold):
            test = f" {op} {threshold:g}" if op is not None and threshold is not None else ""
            return f"{func}({_name(group, columns)}, {_render_agg(inner, columns)}{test})"
        case FirstAvailable(options=options):
            return f"{FIRST_AVAILABLE}({', '.join(_render(o, columns, 0) for o in options)})"
        case _:
            assert_never(expr)


def _render_agg(agg: Aggregate, columns: Mapping[str, str]) -> str:
    args: list[str] = []
    if agg.role is not None:
        args.append(_name(agg.role, columns))
    if agg.test is not None:
        args.append(render_condition(agg.test, columns))
    if agg.where is not None:
        args.append(f"where={render_condition(agg.where, columns)}")
    return f"{agg.kind.value}({', '.join(args)})"


def render_condition(condition: Condition, columns: Mapping[str, str] | None = None, nested: bool = False) -> str:
    """A condition as text, in the team's column names."""
    columns = columns or {}
    match condition:
        case Compare(role=role, op=op, value=value):
            return f"{_name(role, columns)} {op} {_literal(value)}"
        case Member(role=role, values=values, negate=negate):
            inner = ", ".join(_literal(v) for v in values)
            return f"{_name(role, columns)} {'not in' if negate else 'in'} ({inner}{',' if len(values) == 1 else ''})"
        case Flag(role=role):
            return _name(role, columns)
        case AllOf(parts=parts) | AnyOf(parts=parts):
            joiner = " and " if isinstance(condition, AllOf) else " or "
            text = joiner.join(render_condition(p, columns, nested=True) for p in parts)
            return f"({text})" if nested else text
        case Negation(part=part):
            return f"not {render_condition(part, columns, nested=True)}"
        case _:
            assert_never(condition)


def _literal(value: Literal_) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    return str(value)


def _name(role: str, columns: Mapping[str, str]) -> str:
    column = columns.get(role, role)
    return column if column.isidentifier() else f"[{column}]"
