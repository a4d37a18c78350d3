package pipeline

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Bounds on a pipeline file, so that a hostile or broken file gives an error
// quickly instead of exhausting time, memory or the stack.
const (
	// MaxFileSize is the largest pipeline file read, in bytes (1 MiB).
	MaxFileSize = 1 << 20
	// MaxNesting is the deepest nesting of mappings and sequences, aliases
	// expanded.
	MaxNesting = 64
	// MaxTokens is the largest number of YAML tokens (keys, values,
	// indicators) in a file: the parser's time grows faster than the
	// file, and a pipeline file needs a few thousand.
	MaxTokens = 100000
	// MaxAliases is the largest number of aliases (*name) in a file.
	MaxAliases = 10000
	// MaxAliasExpansion is the largest number of YAML nodes reached through
	// aliases when they are all expanded (a "billion laughs" file reaches
	// 10^9 from under 1 KB).
	MaxAliasExpansion = 100000
)

// parseYAML tokenizes and parses src, checking the nesting depth on the
// tokens first (goccy's parser takes time quadratic in the depth of flow
// collections), and turns a panic of the parser into an error.
func (c *Config) parseYAML(src []byte) (f *ast.File, err error) {
	if _, at, deep := flowTokens(src, MaxTokens, MaxNesting); at >= 0 {
		line := 1 + bytes.Count(src[:at], []byte("\n"))
		col := 1 + utf8.RuneCount(src[bytes.LastIndexByte(src[:at], '\n')+1:at])
		msg := fmt.Sprintf("yaml: more than %d tokens (counting only the [ ] { } , of flow collections); a pipeline file needs far fewer", MaxTokens)
		if deep {
			msg = fmt.Sprintf("yaml: nesting deeper than %d levels", MaxNesting)
		}
		return nil, Diagnostics{{Pos: Pos{File: c.Path, Line: line, Col: col}, Msg: msg}}
	}
	tks := lexer.Tokenize(string(src))
	if err := c.tokenDepth(tks); err != nil {
		return nil, err
	}
	if len(tks) > MaxTokens {
		p := Pos{File: c.Path}
		if tk := tks[MaxTokens]; tk != nil && tk.Position != nil {
			p.Line, p.Col = tk.Position.Line, tk.Position.Column
		}
		return nil, Diagnostics{{Pos: p, Msg: fmt.Sprintf("yaml: more than %d tokens (keys, values, indicators); a pipeline file needs far fewer", MaxTokens)}}
	}
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, Diagnostics{{Pos: Pos{File: c.Path}, Msg: fmt.Sprintf("yaml: the parser failed on this file (%v)", r)}}
		}
	}()
	f, err = parser.Parse(tks, 0)
	if err != nil {
		return nil, c.syntaxError(err)
	}
	return f, nil
}

// tokenDepth estimates the nesting depth from the tokens, before parsing:
// flow collections by their brackets, block collections by the columns of
// their indicators (a key's colon, a sequence's dash). The estimate is not
// below the true depth of a well-formed file.
func (c *Config) tokenDepth(tks token.Tokens) error {
	type level struct {
		col int
		seq bool
	}
	var block []level
	flow := 0
	for i, tk := range tks {
		if tk == nil || tk.Position == nil {
			continue
		}
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			if flow > 0 {
				flow--
			}
		case token.SequenceEntryType, token.MappingValueType, token.MappingKeyType:
			if flow > 0 {
				continue
			}
			col, seq := tk.Position.Column, tk.Type == token.SequenceEntryType
			if tk.Type == token.MappingValueType && i > 0 && tks[i-1] != nil && tks[i-1].Position != nil {
				col = tks[i-1].Position.Column // the key's column
			}
			for len(block) > 0 {
				top := block[len(block)-1]
				if top.col > col || (top.col == col && !(seq && !top.seq)) {
					block = block[:len(block)-1]
					continue
				}
				break
			}
			block = append(block, level{col, seq})
		default:
			continue
		}
		if d := len(block) + flow; d > MaxNesting {
			return Diagnostics{{Pos: Pos{File: c.Path, Line: tk.Position.Line, Col: tk.Position.Column},
				Msg: fmt.Sprintf("yaml: nesting deeper than %d levels", MaxNesting)}}
		}
	}
	return nil
}

// aliasGuard walks a parsed document with aliases expanded, as the rest of
// this file reads it (an alias names the file's last anchor of that name),
// and reports a recursive alias, too deep a nesting and too large an
// expansion before anything expands them.
type aliasGuard struct {
	c        *Config
	active   map[string]bool       // anchors being walked
	memo     map[ast.Node][2]int64 // node → expanded size and height
	aliases  int
	expanded int64
	err      *Diagnostic
}

func (c *Config) checkAliases(body ast.Node) error {
	g := &aliasGuard{c: c, active: map[string]bool{}, memo: map[ast.Node][2]int64{}}
	g.walk(body, 0)
	if g.err != nil {
		return Diagnostics{*g.err}
	}
	return nil
}

func (g *aliasGuard) fail(n ast.Node, format string, args ...any) {
	if g.err == nil {
		g.err = &Diagnostic{Pos: g.c.pos(n), Msg: "yaml: " + fmt.Sprintf(format, args...)}
	}
}

// walk returns the size (nodes) and height of n expanded; depth is the
// nesting depth of n.
func (g *aliasGuard) walk(n ast.Node, depth int) (size, height int64) {
	if n == nil || g.err != nil {
		return 0, 0
	}
	if depth > MaxNesting {
		g.fail(n, "nesting deeper than %d levels (aliases expanded)", MaxNesting)
		return 0, 0
	}
	if m, ok := g.memo[n]; ok {
		if int64(depth)+m[1] > MaxNesting {
			g.fail(n, "nesting deeper than %d levels (aliases expanded)", MaxNesting)
		}
		return m[0], m[1]
	}
	var kids []ast.Node
	level := int64(0)
	switch v := n.(type) {
	case *ast.AnchorNode:
		name := anchorName(v.Name)
		g.active[name] = true
		size, height = g.walk(v.Value, depth)
		delete(g.active, name)
		g.memo[n] = [2]int64{size, height}
		return size, height
	case *ast.AliasNode:
		name := anchorName(v.Value)
		g.aliases++
		if g.aliases > MaxAliases {
			g.fail(n, "more than %d aliases", MaxAliases)
			return 0, 0
		}
		if g.active[name] {
			g.fail(n, "alias *%s is reached from inside the anchor &%s it names (a recursive alias)", name, name)
			return 0, 0
		}
		target, ok := g.c.anchors[name]
		if !ok {
			return 1, 0 // reported as an unknown alias where it is read
		}
		g.active[name] = true
		size, height = g.walk(target, depth)
		delete(g.active, name)
		g.expanded += size
		if g.expanded > MaxAliasExpansion {
			g.fail(n, "aliases expand to more than %d values (a pipeline file needs few; is this an alias bomb?)", MaxAliasExpansion)
		}
		return size, height
	case *ast.TagNode:
		kids = []ast.Node{v.Value}
	case *ast.MappingNode:
		level = 1
		for _, mv := range v.Values {
			kids = append(kids, mv.Key, mv.Value)
		}
	case *ast.MappingValueNode:
		level = 1
		kids = []ast.Node{v.Key, v.Value}
	case *ast.SequenceNode:
		level = 1
		kids = v.Values
	case *ast.MappingKeyNode:
		kids = []ast.Node{v.Value}
	}
	size = 1
	for _, k := range kids {
		if k == nil {
			continue
		}
		s, h := g.walk(k, depth+int(level))
		size = min(size+s, 1<<50)
		height = max(height, h+level)
	}
	g.memo[n] = [2]int64{size, height}
	return size, height
}

func anchorName(n ast.Node) string {
	if n == nil || n.GetToken() == nil {
		return ""
	}
	return n.GetToken().Value
}

// flowTokens counts, without tokenizing, the indicators [ ] { } , of the
// flow collections of src, outside quoted scalars, block scalars and
// comments. Each of them is a token of its own, so that a file with more
// than MaxTokens of them is refused before the tokenizer, which holds a few
// hundred bytes for every token (a 1 MiB flow list of 500,000 items: 250 MB
// and most of a second), sees it.
//
// The count is meant as a lower bound of the tokens: a flow collection is
// only taken to begin where a value may begin (after "key:", "- " or "? ",
// or on the line after one of these, or inside another flow collection);
// a quote, a comment or a block scalar taken too eagerly hides indicators
// and never adds any.
//
// It stops at the indicator that makes the count exceed limit, or the
// nesting of flow collections exceed maxDepth (deep true), and returns its
// offset in src; or -1 with the count.
func flowTokens(src []byte, limit, maxDepth int) (n, at int, deep bool) {
	depth := 0
	value := true // at a place where a value (and so a flow collection) may begin
	// plain: the last thing read outside flow collections is a plain
	// scalar, which the lines more indented than plainParent continue.
	plain, plainParent := false, 0
	keyIndent := -1 // indentation of the line of the last ':', '-' or '?' outside flows
	space := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	// endsKey: src[i] (a ':', '-' or '?') is an indicator. In a flow
	// collection goccy also takes a ':' right before a quote as one.
	endsKey := func(i int) bool {
		return i+1 >= len(src) || space(src[i+1]) || (depth > 0 && strings.IndexByte(",[]{}'\"", src[i+1]) >= 0)
	}
	toEOL := func(i int) int {
		for i < len(src) && src[i] != '\n' && src[i] != '\r' {
			i++
		}
		return i - 1 // the loop's i++ reaches the line break
	}
	lineIndent := 0 // indentation of the current line
	atLineStart := true
	lineStart := false // at the line's first token (anchors and tags aside)
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\n' || c == '\r' {
			atLineStart, lineIndent = true, 0
			continue
		}
		if atLineStart {
			if c == ' ' {
				lineIndent++
				continue
			}
			atLineStart, lineStart = false, true
			if depth == 0 && plain && lineIndent > plainParent {
				i = toEOL(i) // a continuation of the plain scalar
				continue
			}
		}
		if c == ' ' || c == '\t' {
			continue
		}
		if c == '#' && (i == 0 || space(src[i-1]) || strings.IndexByte("[]{},'\"", src[i-1]) >= 0) {
			i = toEOL(i)
			continue
		}
		first := lineStart
		lineStart = false
		switch {
		case (c == '\'' || c == '"') && (value || (depth == 0 && first)):
			for i++; i < len(src); i++ {
				if c == '"' && src[i] == '\\' {
					i++
				} else if src[i] == c {
					if c == '\'' && i+1 < len(src) && src[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
			value, plain = false, false
			continue
		case (c == '[' || c == '{') && value:
			if n++; n > limit {
				return n, i, false
			}
			if depth++; depth > maxDepth {
				return n, i, true
			}
			plain = false
			continue
		case (c == ']' || c == '}' || c == ',') && depth > 0:
			if n++; n > limit {
				return n, i, false
			}
			if c == ',' {
				value = true
			} else {
				depth--
				value = false
			}
			continue
		case (c == '|' || c == '>') && value && depth == 0:
			// A block scalar: the lines more indented than this one.
			for i < len(src) {
				i = toEOL(i) + 1
				j := i
				for j < len(src) && (src[j] == '\n' || src[j] == '\r') {
					j++
				}
				k := j
				for k < len(src) && src[k] == ' ' {
					k++
				}
				if k < len(src) && src[k] != '\n' && src[k] != '\r' && k-j <= lineIndent {
					break
				}
				i = k
			}
			i--
			value, plain = false, false
			continue
		case (c == '&' || c == '!') && value:
			for i+1 < len(src) && strings.IndexByte(" \n\r", src[i+1]) < 0 && (depth == 0 || strings.IndexByte(",[]{}", src[i+1]) < 0) {
				i++
			}
			lineStart = first // an anchor or a tag: the token follows
			continue
		case c == ':' && endsKey(i),
			(c == '-' || c == '?') && endsKey(i) && (value || (depth == 0 && first)):
			value, plain = true, false
			if depth == 0 {
				keyIndent = lineIndent
			}
			continue
		}
		if depth == 0 && !plain {
			// A plain scalar after a key or an entry on its line, or on
			// the line after one.
			plain, plainParent = true, lineIndent
			if first {
				plainParent = keyIndent
			}
		}
		value = false
	}
	return n, -1, false
}
