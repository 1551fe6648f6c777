"""The list filter of the Google fake: a subset of the AIP-160 grammar that Secret Manager documents
(cloud.google.com/secret-manager/docs/filtering): `field:value` (substring; `:*` = present),
`=`, `!=`, `<`, `<=`, `>`, `>=`, `AND`, `OR` (binds tighter than AND, as in AIP-160), `NOT` / `-`,
parentheses, implicit AND between terms, "quoted values". A bare value matches when it is a
substring of the name or of a label key or value. Regular expressions (`~`) are refused, as the
API refuses them. Fields are given by the caller (`fields`: name -> getter returning str or None)."""
import re

from google_common import invalid, parse_rfc3339

_TOKEN = re.compile(r'\s*(?:(\()|(\))|("(?:[^"\\]|\\.)*")|(!=|<=|>=|=|<|>|:|~)|([^\s()"=<>:!~]+))')

_VALUE = re.compile(r'\s*([^\s()"]+)')


def _tokens(text):
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        if out and out[-1][0] == "op":  # a value may hold ':' (timestamps) and '=' after an operator
            m = _VALUE.match(text, pos)
            if m:
                pos = m.end()
                out.append(("word", m.group(1)))
                continue
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise invalid(f"Invalid filter: unexpected character at position {pos}.")
        pos = m.end()
        if m.group(1):
            out.append(("(", "("))
        elif m.group(2):
            out.append((")", ")"))
        elif m.group(3):
            out.append(("str", re.sub(r"\\(.)", r"\1", m.group(3)[1:-1])))
        elif m.group(4):
            out.append(("op", m.group(4)))
        else:
            word = m.group(5)
            out.append(("kw", word) if word in ("AND", "OR", "NOT") else ("word", word))
    return out


class Filter:
    def __init__(self, text, fields, timefields=()):
        self.fields, self.timefields = fields, set(timefields)
        self.toks, self.i = _tokens(text), 0
        self.tree = self._expression() if self.toks else ("true",)
        if self.i != len(self.toks):
            raise invalid("Invalid filter: unexpected token "
                          f"'{self.toks[self.i][1]}'.")

    # --- parser -----------------------------------------------------------------------------
    def _peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def _expression(self):
        node = self._sequence()
        while self._peek() == ("kw", "AND"):
            self.i += 1
            node = ("and", node, self._sequence())
        return node

    def _sequence(self):
        node = self._factor()
        while self._peek()[0] in ("word", "str", "(") or self._peek() == ("kw", "NOT"):
            node = ("and", node, self._factor())
        return node

    def _factor(self):
        node = self._term()
        while self._peek() == ("kw", "OR"):
            self.i += 1
            node = ("or", node, self._term())
        return node

    def _term(self):
        kind, val = self._peek()
        if (kind, val) == ("kw", "NOT"):
            self.i += 1
            return ("not", self._simple())
        if kind == "word" and val.startswith("-") and len(val) > 1:
            self.toks[self.i] = ("word", val[1:])
            return ("not", self._simple())
        return self._simple()

    def _simple(self):
        kind, val = self._peek()
        if kind == "(":
            self.i += 1
            node = self._expression()
            if self._peek()[0] != ")":
                raise invalid("Invalid filter: missing ')'.")
            self.i += 1
            return node
        if kind not in ("word", "str"):
            raise invalid("Invalid filter: expected a field or value.")
        self.i += 1
        if self._peek()[0] != "op":
            return ("bare", val)
        op = self._peek()[1]
        self.i += 1
        if op == "~":
            raise invalid("Invalid filter: regular expressions are not supported.")
        vkind, value = self._peek()
        if vkind not in ("word", "str"):
            raise invalid(f"Invalid filter: missing value after '{val}{op}'.")
        self.i += 1
        field = val.lower() if not val.startswith("labels.") else val
        if field not in self.fields and not any(field.startswith(p) for p in self.fields
                                                if p.endswith(".")):
            raise invalid(f"Invalid filter: unknown field '{val}'.")
        return ("cmp", field, op, value, vkind == "str")

    # --- evaluation -------------------------------------------------------------------------
    def matches(self, obj):
        return self._eval(self.tree, obj)

    def _get(self, field, obj):
        if field in self.fields:
            return self.fields[field](obj, None)
        prefix = next(p for p in self.fields if p.endswith(".") and field.startswith(p))
        return self.fields[prefix](obj, field[len(prefix):])

    def _eval(self, node, obj):
        kind = node[0]
        if kind == "true":
            return True
        if kind == "and":
            return self._eval(node[1], obj) and self._eval(node[2], obj)
        if kind == "or":
            return self._eval(node[1], obj) or self._eval(node[2], obj)
        if kind == "not":
            return not self._eval(node[1], obj)
        if kind == "bare":
            return any(node[1] in s for s in self.fields["__text__"](obj, None))
        _, field, op, value, quoted = node
        got = self._get(field, obj)
        if op == ":":
            if value == "*" and not quoted:
                return got is not None
            return got is not None and value in got
        if got is None:
            return op == "!="
        if field in self.timefields:
            a, b = parse_rfc3339(got), parse_rfc3339(value)
            if b is None:
                raise invalid(f"Invalid filter: '{value}' is not an RFC 3339 timestamp.")
        elif field == "state":
            a, b = got.upper(), value.upper()
        else:
            a, b = got, value
        return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b,
                ">=": a >= b}[op]
