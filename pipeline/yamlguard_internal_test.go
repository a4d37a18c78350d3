package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// flowTokenCases are YAML sources with the number of flow indicators
// flowTokens must count in each.
var flowTokenCases = []struct {
	src  string
	want int
}{
	{"a: [1, [2, 3], {b: c}]\n", 9},
	{"a: [1,2]\nb:\n  - [3]\n  - {c: [4]}\n", 9},
	{"a:\n  [1, 2]\n", 3},
	{"[1, 2]\n", 3},
	{"a: {b: [1, 2], c: 'x, [y]', d: \"z, {w}\"}\n", 7},
	{"\"k, [1, 2]\": [3]\n", 2},
	{"'k, [1]': 1\nb: x, [y, z]\n", 0},
	{"a: x\n  [y, z]\n", 0},
	{"a: |\n  [1, 2]\n  {3}\nb: [4]\n", 2},
	{"- >\n    [1, 2]\n- [3]\n", 2},
	{"a: [1, 2] # [3, 4]\n# [5]\nb: &x [6]\nc: !!seq [7]\n", 7},
	{"a: [don't, \"it's\", 'say ''x, y''']\n", 4},
	{"a: http://x,[y]\n", 0},
	{"a: [1, 2\n  , 3]\n", 4},
	{"- - [1]\n? [2]\n: [3]\n", 6},
}

func TestFlowTokens(t *testing.T) {
	for _, c := range flowTokenCases {
		if got, at, _ := flowTokens([]byte(c.src), MaxTokens, MaxNesting); got != c.want || at != -1 {
			t.Errorf("flowTokens(%q) = %d, %d; want %d, -1", c.src, got, at, c.want)
		}
		if tks := lexer.Tokenize(c.src); c.want > len(tks) {
			t.Errorf("%q: %d flow tokens counted, but the file has %d tokens", c.src, c.want, len(tks))
		}
	}
	src := []byte("a: [" + strings.Repeat("1,", 10) + "1]\n")
	if n, at, deep := flowTokens(src, 10, MaxNesting); n != 11 || at != 4+2*9+1 || deep {
		t.Errorf("limit 10: got %d at %d, want 11 at the 10th comma (%d)", n, at, 4+2*9+1)
	}
	if n, at, deep := flowTokens([]byte("a: [[[[1]]]]"), 100, 3); n != 4 || at != 6 || !deep {
		t.Errorf("depth 3: got %d at %d (deep %v), want 4 at the 4th [ (6), deep", n, at, deep)
	}
}

// TestFlowTokensLowerBound checks on the repository's pipeline files that
// flowTokens counts no more than the tokens and, for flow indicators, no
// more than the tokenizer finds.
func TestFlowTokensLowerBound(t *testing.T) {
	files, _ := filepath.Glob("testdata/lint/*.yaml")
	more, _ := filepath.Glob("../cmd/runpipe/testdata/bad/*.yaml")
	files = append(append(files, "../pipelines.yaml"), more...)
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		checkFlowTokens(t, file, src)
	}
}

// checkFlowTokens fails t when flowTokens counts more flow indicators in
// src than goccy's tokenizer finds, for a src that parses.
func checkFlowTokens(t *testing.T, name string, src []byte) {
	t.Helper()
	n, _, _ := flowTokens(src, len(src)+1, len(src)+1)
	tks := lexer.Tokenize(string(src))
	if len(tks) > MaxTokens || (&Config{}).tokenDepth(tks) != nil {
		return // parseYAML does not parse it (and goccy's parser is slow on it)
	}
	if _, err := parser.Parse(tks, 0); err != nil {
		return
	}
	flow := 0
	for _, tk := range tks {
		switch tk.Type {
		case token.SequenceStartType, token.SequenceEndType, token.MappingStartType, token.MappingEndType, token.CollectEntryType:
			flow++
		}
	}
	if n > flow {
		t.Errorf("%s: flowTokens counts %d, the tokenizer finds %d flow indicators", name, n, flow)
	}
}

// FuzzFlowTokens checks that flowTokens is a lower bound of the flow
// indicators the tokenizer finds in any file that parses.
func FuzzFlowTokens(f *testing.F) {
	for _, c := range flowTokenCases {
		f.Add([]byte(c.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		defer func() { recover() }() // the parser's panics are parseYAML's business
		checkFlowTokens(t, "src", src)
	})
}
