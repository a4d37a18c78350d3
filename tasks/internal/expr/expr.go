// Package expr parses and evaluates the small expression language of
// declared tasks: numeric and boolean expressions over named variables.
//
// An expression is a number (3, 0.5, 1e-3), a variable (s1, label, T),
// true or false, a call f(x, …), a parenthesised expression, or an
// operator applied to expressions. From the loosest binding to the
// tightest:
//
//	or  ||          true if either side is true
//	xor             true if exactly one side is true
//	and &&          true if both sides are true
//	not !           (prefix) true if the operand is false
//	== != < <= > >= comparisons (not chained)
//	+ -             sum, difference
//	* / %           product, quotient, remainder (math.Mod)
//	-               (prefix) negation
//
// Every value is a float64; a boolean is 1 (true) or 0 (false), and any
// non-zero number counts as true. The functions are abs, sign (-1, 0 or
// 1), min, max, floor, ceil, round, sqrt, exp, log, pow, if(c, a, b) (only
// the chosen branch is evaluated), and the two random draws randn() (a
// standard normal, rand.Rand.NormFloat64) and rand() (uniform on [0, 1),
// rand.Rand.Float64), taken from the evaluation's generator in the order
// the expression is read, left to right.
//
// Parse reports a syntax error, and Expr.Check an unknown variable or
// function, as an *Error with the 1-based column where it is.
package expr

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// An Error is a problem in an expression at a 1-based column.
type Error struct {
	Col int
	Msg string
}

// Error returns "col N: msg".
func (e *Error) Error() string { return fmt.Sprintf("col %d: %s", e.Col, e.Msg) }

// Expr is a parsed expression.
type Expr struct {
	src  string
	root node
}

// String returns the expression as written.
func (e *Expr) String() string { return e.src }

// Env is what an expression is evaluated in: the values of its
// variables and the generator of its random draws.
type Env struct {
	// Vars holds the variables by name.
	Vars map[string]float64
	// Rand is the generator of randn() and rand(); an expression that
	// draws with a nil Rand panics (Check with random false refuses it).
	Rand *rand.Rand
}

// Eval evaluates e in env. Variables missing from env.Vars are 0; Check
// an expression against the variables it may use before evaluating it.
func (e *Expr) Eval(env *Env) float64 { return e.root.eval(env) }

// Bool evaluates e in env and reports whether the value is non-zero.
func (e *Expr) Bool(env *Env) bool { return e.root.eval(env) != 0 }

// Random reports whether evaluating e may draw from the generator.
func (e *Expr) Random() bool {
	found := false
	walk(e.root, func(n node) {
		if c, ok := n.(*call); ok && (c.name == "randn" || c.name == "rand") {
			found = true
		}
	})
	return found
}

// Vars returns the variables e reads, in order of first appearance.
func (e *Expr) Vars() []string {
	var out []string
	seen := map[string]bool{}
	walk(e.root, func(n node) {
		if v, ok := n.(*variable); ok && !seen[v.name] {
			seen[v.name] = true
			out = append(out, v.name)
		}
	})
	return out
}

// Check reports the first variable of e that known does not accept, or a
// random draw when random is false, as an *Error at its column.
func (e *Expr) Check(known func(name string) bool, random bool) error {
	var err error
	walk(e.root, func(n node) {
		if err != nil {
			return
		}
		switch x := n.(type) {
		case *variable:
			if !known(x.name) {
				err = &Error{Col: x.col, Msg: fmt.Sprintf("unknown variable %q", x.name)}
			}
		case *call:
			if !random && (x.name == "randn" || x.name == "rand") {
				err = &Error{Col: x.col, Msg: fmt.Sprintf("%s() draws a random number, which is not allowed here", x.name)}
			}
		}
	})
	return err
}

// Parse parses an expression.
func Parse(src string) (*Expr, error) {
	p := &parser{src: src}
	p.next()
	if p.err != nil {
		return nil, p.err
	}
	if p.tok.kind == tEOF {
		return nil, &Error{Col: p.tok.col, Msg: "empty expression"}
	}
	n := p.or()
	if p.err == nil && p.tok.kind != tEOF {
		p.fail(p.tok.col, "unexpected %s", p.tok)
	}
	if p.err != nil {
		return nil, p.err
	}
	return &Expr{src: src, root: n}, nil
}

// MustParse is Parse for expressions known to be valid; it panics on an
// error.
func MustParse(src string) *Expr {
	e, err := Parse(src)
	if err != nil {
		panic("expr: " + src + ": " + err.Error())
	}
	return e
}

// ---- lexer ----

type tokKind int

const (
	tEOF tokKind = iota
	tNum
	tIdent
	tOp
)

type token struct {
	kind tokKind
	text string
	num  float64
	col  int
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tNum:
		return "number " + t.text
	case tIdent:
		return fmt.Sprintf("name %q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

type parser struct {
	src string
	pos int
	tok token
	err *Error
}

func (p *parser) fail(col int, format string, args ...any) {
	if p.err == nil {
		p.err = &Error{Col: col, Msg: fmt.Sprintf(format, args...)}
	}
	p.tok = token{kind: tEOF, col: col}
	p.pos = len(p.src)
}

var twoCharOps = []string{"==", "!=", "<=", ">=", "&&", "||"}

func (p *parser) next() {
	if p.err != nil {
		return
	}
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
	col := p.pos + 1
	if p.pos >= len(p.src) {
		p.tok = token{kind: tEOF, col: col}
		return
	}
	c := p.src[p.pos]
	switch {
	case c >= '0' && c <= '9' || c == '.':
		end := p.pos
		for end < len(p.src) && (isDigit(p.src[end]) || p.src[end] == '.') {
			end++
		}
		if end < len(p.src) && (p.src[end] == 'e' || p.src[end] == 'E') {
			e := end + 1
			if e < len(p.src) && (p.src[e] == '+' || p.src[e] == '-') {
				e++
			}
			if e < len(p.src) && isDigit(p.src[e]) {
				for e < len(p.src) && isDigit(p.src[e]) {
					e++
				}
				end = e
			}
		}
		text := p.src[p.pos:end]
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			p.fail(col, "bad number %q", text)
			return
		}
		p.tok = token{kind: tNum, text: text, num: v, col: col}
		p.pos = end
	case isLetter(c):
		end := p.pos
		for end < len(p.src) && (isLetter(p.src[end]) || isDigit(p.src[end])) {
			end++
		}
		p.tok = token{kind: tIdent, text: p.src[p.pos:end], col: col}
		p.pos = end
	default:
		for _, op := range twoCharOps {
			if strings.HasPrefix(p.src[p.pos:], op) {
				p.tok = token{kind: tOp, text: op, col: col}
				p.pos += 2
				return
			}
		}
		if strings.ContainsRune("+-*/%()<>!,", rune(c)) {
			p.tok = token{kind: tOp, text: string(c), col: col}
			p.pos++
			return
		}
		r := []rune(p.src[p.pos:])[0]
		p.fail(col, "unexpected character %q", r)
	}
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

func (p *parser) isOp(ops ...string) bool {
	if p.tok.kind == tOp {
		for _, o := range ops {
			if p.tok.text == o {
				return true
			}
		}
	}
	if p.tok.kind == tIdent {
		for _, o := range ops {
			if p.tok.text == o {
				return true
			}
		}
	}
	return false
}

// ---- grammar ----

func (p *parser) or() node {
	n := p.xor()
	for p.isOp("or", "||") {
		col := p.tok.col
		p.next()
		n = &binary{op: "or", l: n, r: p.xor(), col: col}
	}
	return n
}

func (p *parser) xor() node {
	n := p.and()
	for p.isOp("xor") {
		col := p.tok.col
		p.next()
		n = &binary{op: "xor", l: n, r: p.and(), col: col}
	}
	return n
}

func (p *parser) and() node {
	n := p.not()
	for p.isOp("and", "&&") {
		col := p.tok.col
		p.next()
		n = &binary{op: "and", l: n, r: p.not(), col: col}
	}
	return n
}

func (p *parser) not() node {
	if p.isOp("not", "!") {
		col := p.tok.col
		p.next()
		return &unary{op: "not", x: p.not(), col: col}
	}
	return p.cmp()
}

func (p *parser) cmp() node {
	n := p.sum()
	if p.isOp("==", "!=", "<", "<=", ">", ">=") {
		op, col := p.tok.text, p.tok.col
		p.next()
		n = &binary{op: op, l: n, r: p.sum(), col: col}
		if p.isOp("==", "!=", "<", "<=", ">", ">=") {
			p.fail(p.tok.col, "comparisons do not chain: write (a %s b) and (b %s c)", op, p.tok.text)
		}
	}
	return n
}

func (p *parser) sum() node {
	n := p.product()
	for p.isOp("+", "-") {
		op, col := p.tok.text, p.tok.col
		p.next()
		n = &binary{op: op, l: n, r: p.product(), col: col}
	}
	return n
}

func (p *parser) product() node {
	n := p.neg()
	for p.isOp("*", "/", "%") {
		op, col := p.tok.text, p.tok.col
		p.next()
		n = &binary{op: op, l: n, r: p.neg(), col: col}
	}
	return n
}

func (p *parser) neg() node {
	if p.isOp("-", "+") {
		op, col := p.tok.text, p.tok.col
		p.next()
		x := p.neg()
		if op == "+" {
			return x
		}
		return &unary{op: "-", x: x, col: col}
	}
	return p.primary()
}

var keywords = map[string]bool{"and": true, "or": true, "xor": true, "not": true}

func (p *parser) primary() node {
	t := p.tok
	switch t.kind {
	case tNum:
		p.next()
		return &number{v: t.num}
	case tIdent:
		if keywords[t.text] {
			p.fail(t.col, "unexpected %q", t.text)
			return &number{}
		}
		p.next()
		switch t.text {
		case "true":
			return &number{v: 1}
		case "false":
			return &number{v: 0}
		}
		if p.isOp("(") {
			return p.call(t)
		}
		return &variable{name: t.text, col: t.col}
	case tOp:
		if t.text == "(" {
			p.next()
			n := p.or()
			if !p.isOp(")") {
				p.fail(p.tok.col, "want ), got %s", p.tok)
				return n
			}
			p.next()
			return n
		}
	}
	p.fail(t.col, "unexpected %s", t)
	return &number{}
}

func (p *parser) call(name token) node {
	f, ok := funcs[name.text]
	if !ok {
		p.fail(name.col, "unknown function %q (functions: %s)", name.text, funcNames())
		return &number{}
	}
	p.next() // (
	c := &call{name: name.text, col: name.col}
	if !p.isOp(")") {
		for {
			c.args = append(c.args, p.or())
			if !p.isOp(",") {
				break
			}
			p.next()
		}
	}
	if !p.isOp(")") {
		p.fail(p.tok.col, "want , or ) in the arguments of %s, got %s", name.text, p.tok)
		return c
	}
	p.next()
	if len(c.args) != f.arity {
		p.fail(name.col, "%s takes %d argument%s, got %d", name.text, f.arity, plural(f.arity), len(c.args))
	}
	return c
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// ---- evaluation ----

type node interface{ eval(*Env) float64 }

type number struct{ v float64 }

type variable struct {
	name string
	col  int
}

type unary struct {
	op  string
	x   node
	col int
}

type binary struct {
	op   string
	l, r node
	col  int
}

type call struct {
	name string
	args []node
	col  int
}

func (n *number) eval(*Env) float64     { return n.v }
func (n *variable) eval(e *Env) float64 { return e.Vars[n.name] }

func (n *unary) eval(e *Env) float64 {
	x := n.x.eval(e)
	if n.op == "-" {
		return -x
	}
	return b2f(x == 0)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (n *binary) eval(e *Env) float64 {
	switch n.op {
	case "and":
		return b2f(n.l.eval(e) != 0 && n.r.eval(e) != 0)
	case "or":
		return b2f(n.l.eval(e) != 0 || n.r.eval(e) != 0)
	}
	l, r := n.l.eval(e), n.r.eval(e)
	switch n.op {
	case "xor":
		return b2f((l != 0) != (r != 0))
	case "+":
		return l + r
	case "-":
		return l - r
	case "*":
		return l * r
	case "/":
		return l / r
	case "%":
		return math.Mod(l, r)
	case "==":
		return b2f(l == r)
	case "!=":
		return b2f(l != r)
	case "<":
		return b2f(l < r)
	case "<=":
		return b2f(l <= r)
	case ">":
		return b2f(l > r)
	case ">=":
		return b2f(l >= r)
	}
	panic("expr: unknown operator " + n.op)
}

func (n *call) eval(e *Env) float64 {
	if n.name == "if" {
		if n.args[0].eval(e) != 0 {
			return n.args[1].eval(e)
		}
		return n.args[2].eval(e)
	}
	f := funcs[n.name]
	var args [2]float64
	for i, a := range n.args {
		args[i] = a.eval(e)
	}
	return f.fn(e, args[:len(n.args)])
}

type function struct {
	arity int
	fn    func(e *Env, x []float64) float64
}

func f1(f func(float64) float64) function {
	return function{1, func(_ *Env, x []float64) float64 { return f(x[0]) }}
}

func f2(f func(float64, float64) float64) function {
	return function{2, func(_ *Env, x []float64) float64 { return f(x[0], x[1]) }}
}

var funcs = map[string]function{
	"abs": f1(math.Abs),
	"sign": f1(func(x float64) float64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	}),
	"min":   f2(math.Min),
	"max":   f2(math.Max),
	"floor": f1(math.Floor),
	"ceil":  f1(math.Ceil),
	"round": f1(math.Round),
	"sqrt":  f1(math.Sqrt),
	"exp":   f1(math.Exp),
	"log":   f1(math.Log),
	"pow":   f2(math.Pow),
	"if":    {arity: 3}, // evaluated lazily by call.eval
	"randn": {0, func(e *Env, _ []float64) float64 { return e.Rand.NormFloat64() }},
	"rand":  {0, func(e *Env, _ []float64) float64 { return e.Rand.Float64() }},
}

func funcNames() string {
	return "abs, ceil, exp, floor, if, log, max, min, pow, rand, randn, round, sign, sqrt"
}

func walk(n node, f func(node)) {
	f(n)
	switch x := n.(type) {
	case *unary:
		walk(x.x, f)
	case *binary:
		walk(x.l, f)
		walk(x.r, f)
	case *call:
		for _, a := range x.args {
			walk(a, f)
		}
	}
}
