package items_test

import (
	"go/build"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/spikernn/spikernn/"

// deps returns the module's packages that package pkg (a path inside the
// module) imports, directly or not, tests left out.
func deps(t *testing.T, pkg string, seen map[string]bool) {
	t.Helper()
	p, err := build.ImportDir(filepath.Join("..", filepath.FromSlash(pkg)), 0)
	if err != nil {
		t.Fatalf("%s: %v", pkg, err)
	}
	for _, imp := range p.Imports {
		if dep, ok := strings.CutPrefix(imp, module); ok && !seen[dep] {
			seen[dep] = true
			deps(t, dep, seen)
		}
	}
}

// TestLayout checks that imports go one way: the kind packages import
// items, none imports another, and items imports no kind package.
func TestLayout(t *testing.T) {
	kinds := []string{"sources", "stages", "sinks/kinds"}
	for _, pkg := range append(slices.Clone(kinds), "items") {
		seen := map[string]bool{}
		deps(t, pkg, seen)
		if pkg != "items" && !seen["items"] {
			t.Errorf("%s does not import items", pkg)
		}
		for _, k := range kinds {
			if k != pkg && seen[k] {
				t.Errorf("%s imports %s", pkg, k)
			}
		}
		if seen["cmd/runpipe"] || seen[pkg] {
			t.Errorf("%s imports %v", pkg, seen)
		}
	}
}
