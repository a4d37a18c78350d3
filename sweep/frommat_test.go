package sweep

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/sinks"
	_ "github.com/spikernn/spikernn/sources"
)

// repoFile returns the path of a file of the repository.
func repoFile(name string) string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", name)
}

// smallFromMat makes the from-mat pipeline's λ search and conversion
// short.
var smallFromMat = []string{"factors=[30]", "lambda_trials=4", "trials=4"}

func loadFromMatDir(t *testing.T, ws string, set ...string) *Sweep {
	t.Helper()
	c, err := pipeline.ParseFile(repoFile("pipelines.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(pipeline.Default(), c, Options{CompileOptions: pipeline.CompileOptions{
		Pipeline: "from-mat-dir", Workspace: ws, Set: append(append([]string(nil), smallFromMat...), set...)}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestFromMatDir runs pipeline from-mat-dir of pipelines.yaml over a
// directory of model files: one point per file, named by the file; a file
// added to the directory runs only its own point; sweep.parquet names the
// file of every row. Then the default glob: every layout of
// testdata/models/layouts is a point.
func TestFromMatDir(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates networks")
	}
	models := t.TempDir()
	ref, err := os.ReadFile(repoFile("testdata/models/gonogo_ref1.mat"))
	if err != nil {
		t.Fatal(err)
	}
	layout, err := os.ReadFile(repoFile("testdata/models/layouts/seed_readme.mat"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"a.mat": ref, "b.mat": layout, "notes.txt": []byte("not a model")} {
		if err := os.WriteFile(filepath.Join(models, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	glob := "models=" + filepath.Join(models, "*.mat")
	ws := t.TempDir()
	s := loadFromMatDir(t, ws, glob)
	var names []string
	for _, p := range s.Points {
		names = append(names, p.Name)
	}
	if strings.Join(names, " ") != "model=a model=b" {
		t.Fatalf("points %v, want model=a model=b", names)
	}
	if res := runAll(t, s, 2); res.Count(StatusRan) != 2 {
		t.Fatalf("%d points ran, want 2", res.Count(StatusRan))
	}
	// One more file in the directory: only its point runs.
	if err := os.WriteFile(filepath.Join(models, "c.mat"), ref, 0o644); err != nil {
		t.Fatal(err)
	}
	s = loadFromMatDir(t, ws, glob)
	res := runAll(t, s, 2)
	if res.Count(StatusRan) != 1 || res.Count(StatusUpToDate) != 2 {
		t.Errorf("with c.mat added: %d ran, %d up to date; want 1 and 2", res.Count(StatusRan), res.Count(StatusUpToDate))
	}
	a, err := s.Collect()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Write(); err != nil {
		t.Fatal(err)
	}
	tab, err := sinks.ReadParquet(filepath.Join(s.Dir, TableFile))
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstSummaries(t, s, tab)
	var model, point sinks.ParquetColumn
	for _, c := range tab.Columns {
		switch c.Name {
		case "model":
			model = c
		case "point":
			point = c
		}
	}
	for i := range int(tab.Rows) {
		want := filepath.Join(models, strings.TrimPrefix(point.Strings[i], "model=")+".mat")
		if model.Strings == nil || model.Strings[i] != want {
			t.Errorf("row %d (%s): model %q, want %q", i, point.Strings[i], model.Strings, want)
		}
	}
	// a.mat and c.mat hold the same network: the same results.
	sa, sc := readSummary(t, s.Points[0]), readSummary(t, s.Points[2])
	for _, f := range []string{"lambda_accuracy", "lif_accuracy", "n_spikes"} {
		if sa[f] == nil || pipelineText(sa[f]) != pipelineText(sc[f]) {
			t.Errorf("%s: %v for a.mat, %v for c.mat (the same file)", f, sa[f], sc[f])
		}
	}

	// The default: every layout of the reference's model.
	d := loadFromMatDir(t, t.TempDir())
	var got []string
	for _, p := range d.Points {
		got = append(got, p.Name)
	}
	if want := "model=matlab_appended model=octave_v7 model=port_tutorial model=seed_readme model=tf_original"; strings.Join(got, " ") != want {
		t.Errorf("default points %v, want %s", got, want)
	}
}

func pipelineText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestFromMatDirNoFile checks that a glob matching no model file is
// refused at the run with the pattern, but not by lint (the file may be
// linted away from its models).
func TestFromMatDirNoFile(t *testing.T) {
	c, err := pipeline.ParseFile(repoFile("pipelines.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	_, err = Load(pipeline.Default(), c, Options{CompileOptions: pipeline.CompileOptions{
		Pipeline: "from-mat-dir", Workspace: t.TempDir(), Set: []string{"models=" + filepath.Join(empty, "*.mat")}}})
	if err == nil || !strings.Contains(err.Error(), "sweep axis model: files: \""+filepath.Join(empty, "*.mat")+"\" matches no file") {
		t.Errorf("got %v, want the glob matching no file", err)
	}
	moved, err := pipeline.Parse(filepath.Join(empty, "pipelines.yaml"), mustRead(t, repoFile("pipelines.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	if err := pipeline.Default().Lint(moved); err != nil {
		t.Errorf("lint of pipelines.yaml away from its models: %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
