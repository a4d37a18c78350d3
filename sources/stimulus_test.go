package sources

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/sinks"
	"github.com/spikernn/spikernn/tasks"
)

const stimDir = "../testdata/stimuli"

var defaultStimulusOptions = stimulusOptions{matVar: "u", labelsVar: "labels"}

// goNogoStimulus returns the spiking-side go-nogo stimulus of SPEC §5.
func goNogoStimulus(goTrial bool) []float64 {
	u := make([]float64, 201)
	if goTrial {
		for j := 50; j < 75; j++ {
			u[j] = 1
		}
	}
	return u
}

// TestReadStimuliForms reads the go-nogo protocol in every form of
// testdata/stimuli and checks the stimuli and their labels.
func TestReadStimuliForms(t *testing.T) {
	goNogo, err := tasks.New("go-nogo", tasks.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	both := [][]float64{goNogoStimulus(true), goNogoStimulus(false)}
	cases := []struct {
		file   string
		opts   stimulusOptions
		want   [][]float64 // input 0 of every stimulus
		labels []tasks.Label
		names  []string
	}{
		{"gonogo.csv", defaultStimulusOptions, both, []tasks.Label{tasks.Go, tasks.NoGo}, []string{"go", "nogo"}},
		{"gonogo_u.csv", defaultStimulusOptions, both[:1], nil, []string{"stimulus 0"}},
		{"gonogo.mat", defaultStimulusOptions, both, []tasks.Label{tasks.Go, tasks.NoGo}, []string{"1", "0"}},
		{"gonogo.mat", stimulusOptions{matVar: "u_cell", labelsVar: "labels_cell"}, both, []tasks.Label{tasks.Go, tasks.NoGo}, []string{"go", "nogo"}},
		{"gonogo.mat", stimulusOptions{matVar: "u_cell", labelsVar: "none"}, both, nil, []string{"stimulus 0", "stimulus 1"}},
	}
	for _, c := range cases {
		t.Run(c.file+"/"+c.opts.matVar+"/"+c.opts.labelsVar, func(t *testing.T) {
			st, err := readStimuli(filepath.Join(stimDir, c.file), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if st.Inputs != 1 || len(st.Stimuli) != len(c.want) {
				t.Fatalf("%d inputs, %d stimuli; want 1 and %d", st.Inputs, len(st.Stimuli), len(c.want))
			}
			var names []string
			for k, s := range st.Stimuli {
				if !slices.Equal(s.U[0], c.want[k]) {
					t.Errorf("stimulus %d differs from the go-nogo stimulus", k)
				}
				names = append(names, s.Name)
			}
			if !slices.Equal(names, c.names) {
				t.Errorf("names %q, want %q", names, c.names)
			}
			if st.Labeled() != (c.labels != nil) {
				t.Fatalf("labeled %v", st.Labeled())
			}
			if c.labels != nil {
				labels, err := st.Labels(goNogo)
				if err != nil || !slices.Equal(labels, c.labels) {
					t.Errorf("labels %v (%v), want %v", labels, err, c.labels)
				}
			}
		})
	}
}

// stimTable is a Table of stimulus rows for the package's Parquet writer.
type stimTable struct {
	trial []int32
	label []string
	u0    []float32
	u1    []float64
}

var stimSchema, _ = sinks.NewSchema(sinks.Column{Name: "trial", Type: sinks.Int32}, sinks.Column{Name: "label", Type: sinks.String},
	sinks.Column{Name: "u0", Type: sinks.Float32}, sinks.Column{Name: "u1", Type: sinks.Float64})

func (s *stimTable) Name() string          { return "stimuli" }
func (s *stimTable) Schema() *sinks.Schema { return stimSchema }
func (s *stimTable) Len() int              { return len(s.trial) }
func (s *stimTable) Reset()                {}
func (s *stimTable) Columns(dst []any) []any {
	return append(dst, s.trial, s.label, s.u0, s.u1)
}

// TestReadStimuliParquet reads a two-input table from Parquet, with the
// inputs chosen and ordered by the columns setting.
func TestReadStimuliParquet(t *testing.T) {
	tb := &stimTable{}
	for trial := range int32(3) {
		for j := range 11 {
			tb.trial = append(tb.trial, 7-trial) // ids in any order
			tb.label = append(tb.label, []string{"same", "diff", "same"}[trial])
			tb.u0 = append(tb.u0, float32(j))
			tb.u1 = append(tb.u1, -float64(j)*float64(trial))
		}
	}
	path := filepath.Join(t.TempDir(), "xor.parquet")
	w, err := sinks.CreateParquet(path, stimSchema, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(tb); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := readStimuli(path, stimulusOptions{columns: []string{"u1", "u0"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Stimuli) != 3 || st.Inputs != 2 || st.Stimuli[2].U[0][10] != -20 || st.Stimuli[1].U[1][4] != 4 || st.Stimuli[1].Label != "diff" {
		t.Errorf("stimuli %+v", st.Stimuli)
	}
	xor, _ := tasks.New("xor", tasks.Settings{})
	if l, err := st.Labels(xor); err != nil || !slices.Equal(l, []tasks.Label{tasks.Same, tasks.Diff, tasks.Same}) {
		t.Errorf("labels %v, %v", l, err)
	}
	goNogo, _ := tasks.New("go-nogo", tasks.Settings{})
	if _, err := st.Labels(goNogo); err == nil || !strings.Contains(err.Error(), `label "same" is not a condition of go-nogo`) {
		t.Errorf("go-nogo labels: error %v", err)
	}
}

// TestReadStimuliErrors checks that bad files give one clear error naming
// the file and the place.
func TestReadStimuliErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	cases := map[string][]string{
		write("word.csv", "0,1,2\n0,x,1\n"):                       {"word.csv:2", "field 2", `"x" is not a number`},
		write("ragged.csv", "0,1,2\n0,1\n"):                       {"ragged.csv", "wrong number of fields"},
		write("column.csv", "0\n1\n"):                             {"column.csv", "stimulus 0 is 2×1", "two columns"},
		write("nan.csv", "0,NaN,1\n"):                             {"nan.csv", "column 1 is NaN"},
		write("text.csv", "trial,u0\n0,1\n0,y\n"):                 {"text.csv:3", "input column u0", `"y" is not a number`},
		write("labels.csv", "trial,label,u0\n0,go,1\n0,nogo,0\n"): {"labels.csv:3", "one label per trial"},
		write("noinput.csv", "trial,label\n0,go\n"):               {"noinput.csv", "no input column"},
		write("u.txt", "0,1\n"):                                   {"u.txt", "want .mat, .csv or .parquet"},
		write("empty.csv", "# nothing\n"):                         {"empty.csv", "empty"},
	}
	for path, want := range cases {
		_, err := readStimuli(path, defaultStimulusOptions)
		for _, w := range want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v, want one containing %q", filepath.Base(path), err, w)
			}
		}
	}
	if _, err := readStimuli(filepath.Join(stimDir, "gonogo.mat"), stimulusOptions{matVar: "v", labelsVar: "labels"}); err == nil ||
		!strings.Contains(err.Error(), "gonogo.mat") || !strings.Contains(err.Error(), `"v"`) {
		t.Errorf("missing variable: error %v", err)
	}
}

// TestStimuliLabeled: stimuli are labeled only when every one is.
func TestStimuliLabeled(t *testing.T) {
	st := &items.Stimuli{Stimuli: []items.Stimulus{{Label: "go"}, {}}}
	if st.Labeled() {
		t.Error("a stimulus without a label: Labeled")
	}
}
