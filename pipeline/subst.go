package pipeline

import (
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// params holds a pipeline's parameters after --set overrides, for ${name}
// substitution.
type params struct {
	vals   map[string]*pval
	origin map[string]string // "--set N=300" for overridden params
	names  []string
}

// substFunc returns the string converter used for `with:` values: it
// replaces ${name} references by parameter values. A reference that is the
// whole value keeps the parameter's type (an int stays an int, a list stays
// a list); references inside a longer string are formatted as text. $$ is a
// literal $.
func (c *Config) substFunc(ps *params, d *diagList) func(s string, pos Pos, n ast.Node) *pval {
	return func(s string, pos Pos, n ast.Node) *pval {
		if len(s) > 3 && s[0] == '$' && s[1] == c.open[0] && s[len(s)-1] == c.cls[0] && identRE.MatchString(s[2:len(s)-1]) {
			name := s[2 : len(s)-1]
			p, ok := ps.vals[name]
			if !ok {
				c.unknownParam(d, ps, name, Pos{File: pos.File, Line: pos.Line, Col: quoteCol(n, pos, 0)})
				return &pval{pos: pos, bad: true}
			}
			return &pval{v: p.v, pos: pos, param: name}
		}
		var b strings.Builder
		bad := false
		for i := 0; i < len(s); i++ {
			if s[i] != '$' || i+1 == len(s) {
				b.WriteByte(s[i])
				continue
			}
			if s[i+1] == '$' {
				b.WriteByte('$')
				i++
				continue
			}
			if s[i+1] != c.open[0] {
				b.WriteByte('$')
				continue
			}
			j := strings.IndexByte(s[i+2:], c.cls[0])
			if j < 0 || !identRE.MatchString(s[i+2:i+2+j]) {
				b.WriteByte('$')
				continue
			}
			name := s[i+2 : i+2+j]
			refPos := Pos{File: pos.File, Line: pos.Line, Col: quoteCol(n, pos, i)}
			p, ok := ps.vals[name]
			switch {
			case !ok:
				c.unknownParam(d, ps, name, refPos)
				bad = true
			default:
				text, isScalar := ScalarText(p.v)
				if !isScalar {
					d.add(refPos, "${%s} inside a string: param %s is a %s, not a scalar%s", name, name, typeName(p.plain()), originNote(ps, name))
					bad = true
				}
				b.WriteString(text)
			}
			i += 2 + j
		}
		return &pval{v: b.String(), pos: pos, bad: bad}
	}
}

func (c *Config) unknownParam(d *diagList, ps *params, name string, pos Pos) {
	d.add(pos, "unknown param ${%s}%s (params: %s)", name, didYouMean(name, ps.names), quoteList(ps.names))
}

func originNote(ps *params, name string) string {
	if o := ps.origin[name]; o != "" {
		return " (from " + o + ")"
	}
	return ""
}

// ScalarText formats a scalar parameter value (string, int64, float64 or
// bool) as ${name} substitutes it inside a string, and reports whether v
// is a scalar.
func ScalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}
