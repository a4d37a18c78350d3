package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBadInputCorpus runs every case of testdata/bad/cases.txt: runpipe on
// a broken or hostile file must exit with the case's code and print its
// message fragment, fast, and write nothing outside its directory.
func TestBadInputCorpus(t *testing.T) {
	table, err := os.ReadFile("testdata/bad/cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	src, err := filepath.Abs("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(table), "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			t.Fatalf("bad line %q", line)
		}
		file, cmd := f[0], f[1]
		code, err := strconv.Atoi(f[2])
		if err != nil {
			t.Fatalf("bad exit code in %q", line)
		}
		frag := strings.Join(f[3:], " ")
		n++
		t.Run(strings.TrimSuffix(file, ".yaml")+"/"+strconv.Itoa(n), func(t *testing.T) {
			// testdata/bad sits four levels under a workspace root, so
			// that the files reach the repository's models as
			// ../../../../testdata; mirror that.
			root := t.TempDir()
			dir := filepath.Join(root, "cmd", "runpipe", "testdata", "bad")
			copyDir(t, src, dir)
			if err := os.Symlink(filepath.Join(src, "..", "..", "..", "..", "testdata"), filepath.Join(root, "testdata")); err != nil {
				t.Fatal(err)
			}
			if file == "too_large.yaml" {
				big := "version: 1\n# " + strings.Repeat("x", 1<<20) + "\n"
				if err := os.WriteFile(filepath.Join(dir, file), []byte(big), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			args := []string{cmd, "-f", filepath.Join(dir, file)}
			if cmd == "run" {
				args = append(args, "-progress", "none")
			}
			got, out, errOut := runpipe(args...)
			if cmd == "lint" && time.Since(start) > 5*time.Second {
				t.Errorf("lint took %v", time.Since(start))
			}
			if got != code {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", got, code, out, errOut)
			}
			if !strings.Contains(out+errOut, frag) {
				t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", frag, out, errOut)
			}
			if cmd == "run" && code != 0 {
				// A failed run leaves no output a later run could trust:
				// nothing outside the runner's .stages directory.
				filepath.WalkDir(filepath.Join(dir, "runs"), func(p string, d os.DirEntry, err error) error {
					if err == nil && d.IsDir() && d.Name() == ".stages" {
						return filepath.SkipDir
					}
					if err == nil && !d.IsDir() && d.Name() != ".lock" {
						t.Errorf("a failed run left %s", p)
					}
					return nil
				})
			}
			if ents, _ := os.ReadDir(root); len(ents) != 2 {
				t.Errorf("something was written beside the corpus: %v", ents)
			}
		})
	}
	if n < 15 {
		t.Errorf("%d cases, want the whole corpus", n)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
