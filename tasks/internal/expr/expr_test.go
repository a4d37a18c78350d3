package expr

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestEval(t *testing.T) {
	vars := map[string]float64{"a": 2, "b": -3, "s1": 1, "s2": -1, "T": 200}
	for _, c := range []struct {
		src  string
		want float64
	}{
		{"1 + 2 * 3", 7},
		{"(1 + 2) * 3", 9},
		{"-a + 1", -1},
		{"--a", 2},
		{"a - b - 1", 4},
		{"T / 4 % 3", 2},
		{"1e-3 * 1000", 1},
		{".5 + 0.25", 0.75},
		{"a > b", 1},
		{"a <= b", 0},
		{"s1 == s2", 0},
		{"s1 != s2", 1},
		{"s1 > 0 xor s2 > 0", 1},
		{"s1 > 0 xor s2 < 0", 0},
		{"true and false", 0},
		{"true && not false", 1},
		{"false or !false", 1},
		{"0 || 0", 0},
		{"not a > 5", 1},
		{"1 or 0 and 0", 1}, // and binds tighter than or
		{"1 xor 1 or 1", 1}, // xor binds tighter than or
		{"if(s1 == s2, 1, -1)", -1},
		{"if(a, 0.5 * s1, s2)", 0.5},
		{"abs(b) + sign(b) + sign(0)", 2},
		{"min(a, b) + max(a, b)", -1},
		{"floor(2.7) + ceil(2.1) + round(2.5)", 8},
		{"sqrt(16) + pow(2, 3) + exp(0) + log(1)", 13},
		{"unknown", 0},
	} {
		e, err := Parse(c.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.src, err)
			continue
		}
		if got := e.Eval(&Env{Vars: vars}); got != c.want {
			t.Errorf("%q = %v, want %v", c.src, got, c.want)
		}
		if e.String() != c.src {
			t.Errorf("String() = %q, want %q", e.String(), c.src)
		}
	}
}

func TestRandomDraws(t *testing.T) {
	e := MustParse("randn() + 0.5 * s + if(s > 0, 0, rand())")
	if !e.Random() {
		t.Fatal("Random() = false")
	}
	r1, r2 := rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(1, 2))
	// s > 0: the else branch is not evaluated, so only one draw.
	got := e.Eval(&Env{Vars: map[string]float64{"s": 1}, Rand: r1})
	want := r2.NormFloat64() + 0.5
	if got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
	if r1.Uint64() != r2.Uint64() {
		t.Fatal("an unevaluated branch drew from the generator")
	}
	got = e.Eval(&Env{Vars: map[string]float64{"s": -1}, Rand: r1})
	n := r2.NormFloat64()
	want = n - 0.5 + r2.Float64()
	if got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
	if MustParse("abs(x)").Random() {
		t.Fatal("abs(x) is random")
	}
}

func TestVarsAndCheck(t *testing.T) {
	e := MustParse("if(s1 == s2, label, x + s1)")
	if got := strings.Join(e.Vars(), ","); got != "s1,s2,label,x" {
		t.Fatalf("Vars = %s", got)
	}
	known := func(n string) bool { return n != "x" }
	err := e.Check(known, false)
	var ee *Error
	if !errors.As(err, &ee) || ee.Col != 21 || !strings.Contains(ee.Msg, `unknown variable "x"`) {
		t.Fatalf("Check: %v", err)
	}
	if err := MustParse("1 + randn()").Check(known, false); err == nil || !strings.Contains(err.Error(), "col 5: randn()") {
		t.Fatalf("Check random: %v", err)
	}
	if err := MustParse("1 + randn()").Check(known, true); err != nil {
		t.Fatalf("Check random allowed: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"", "col 1: empty expression"},
		{"1 +", "col 4: unexpected end of expression"},
		{"(1 + 2", "col 7: want ), got end of expression"},
		{"1 2", "col 3: unexpected number 2"},
		{"a $ b", `col 3: unexpected character '$'`},
		{"foo(1)", `col 1: unknown function "foo"`},
		{"abs(1, 2)", "col 1: abs takes 1 argument, got 2"},
		{"if(1, 2)", "col 1: if takes 3 arguments, got 2"},
		{"min(1 2)", "col 7: want , or ) in the arguments of min, got number 2"},
		{"1 < 2 < 3", "col 7: comparisons do not chain"},
		{"a and or b", `col 7: unexpected "or"`},
		{"1..2", `col 1: bad number "1..2"`},
	} {
		_, err := Parse(c.src)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want %s…", c.src, err, c.want)
		}
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	MustParse("1 +")
}

func TestNaN(t *testing.T) {
	if v := MustParse("0 / 0").Eval(&Env{}); !math.IsNaN(v) {
		t.Fatalf("0/0 = %v", v)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1 + 2", "if(a, b, c)", "not (a xor b)", "randn() * 2", "a <= -b % 3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var ee *Error
			if !errors.As(err, &ee) || ee.Col < 1 || ee.Col > len(s)+1 {
				t.Fatalf("Parse(%q): bad error %v", s, err)
			}
			return
		}
		e.Eval(&Env{Vars: map[string]float64{}, Rand: rand.New(rand.NewPCG(1, 1))})
	})
}

func BenchmarkEval(b *testing.B) {
	e := MustParse("randn() + 0.5 * if(ctx == 0, label, other)")
	env := &Env{Vars: map[string]float64{"ctx": 1, "label": 1, "other": -1}, Rand: rand.New(rand.NewPCG(1, 1))}
	for b.Loop() {
		e.Eval(env)
	}
}
