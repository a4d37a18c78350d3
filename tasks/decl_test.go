package tasks

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"gonum.org/v1/gonum/mat"

	"github.com/spikernn/spikernn/rng"
)

// builtinDecls reads testdata/builtin.yaml.
func builtinDecls(t testing.TB) map[string]*Declared {
	t.Helper()
	src, err := os.ReadFile("testdata/builtin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Tasks yaml.MapSlice `yaml:"tasks"`
	}
	if err := yaml.Unmarshal(src, &file); err != nil {
		t.Fatal(err)
	}
	out := map[string]*Declared{}
	for _, it := range file.Tasks {
		name := it.Key.(string)
		b, err := yaml.Marshal(it.Value)
		if err != nil {
			t.Fatal(err)
		}
		d, err := ParseDecl(name, b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		task, err := d.Compile()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = task
	}
	return out
}

// TestTwins checks that the YAML twins of the built-in tasks give the same
// trials (stream, stimulus, label, noise seed), targets and scores as the
// Go implementations, on both sides, for streamed and fixed-label trials.
func TestTwins(t *testing.T) {
	twins := builtinDecls(t)
	for _, name := range []string{"go-nogo", "xor", "mante"} {
		t.Run(name, func(t *testing.T) {
			goTask := mustNew(t, name)
			yTask := twins[name]
			if yTask == nil {
				t.Fatalf("no twin of %s", name)
			}
			if yTask.Inputs() != goTask.Inputs() || yTask.Steps() != goTask.Steps() {
				t.Fatalf("inputs %d steps %d, want %d %d", yTask.Inputs(), yTask.Steps(), goTask.Inputs(), goTask.Steps())
			}
			for i, l := range goTask.Labels() {
				if yTask.Labels()[i] != l || yTask.LabelName(l) != goTask.LabelName(l) {
					t.Fatalf("label %d: %v %q, want %v %q", i, yTask.Labels()[i], yTask.LabelName(l), l, goTask.LabelName(l))
				}
			}
			if got, want := yTask.SpikeFrom(), goTask.(interface{ SpikeFrom() float64 }).SpikeFrom(); int(got/5e-5+0.5) != int(want/5e-5+0.5) {
				t.Fatalf("SpikeFrom %v, want %v", got, want)
			}
			const seed = 11
			gs, ys := NewStream(goTask, seed), NewStream(yTask, seed)
			score := rand.New(rand.NewPCG(3, 4))
			for _, side := range []Side{Rate, Spiking} {
				gt, yt := NewTrial(goTask, side), NewTrial(yTask, side)
				for i := range 300 {
					gs.Trial(i, gt)
					ys.Trial(i, yt)
					if gt.Label != yt.Label || gt.Seed != yt.Seed || gt.Index != yt.Index {
						t.Fatalf("side %d trial %d: label %v seed %d, want %v %d", side, i, yt.Label, yt.Seed, gt.Label, gt.Seed)
					}
					if !mat.Equal(gt.U, yt.U) {
						t.Fatalf("side %d trial %d: stimuli differ", side, i)
					}
					for j := range gt.Target {
						if gt.Target[j] != yt.Target[j] {
							t.Fatalf("trial %d: target[%d] = %v, want %v", i, j, yt.Target[j], gt.Target[j])
						}
					}
					// Fixed labels (the spiking side's conditions) draw the same.
					for _, l := range goTask.Labels() {
						r1, r2 := rng.New(seed, uint64(i), 9), rng.New(seed, uint64(i), 9)
						Fill(goTask, gt, &l, r1)
						Fill(yTask, yt, &l, r2)
						if !mat.Equal(gt.U, yt.U) || r1.Uint64() != r2.Uint64() {
							t.Fatalf("side %d trial %d label %v: fixed-label trials differ", side, i, l)
						}
					}
				}
			}
			// Scores of random outputs, rate and spiking, including
			// outputs near the thresholds.
			for i := range 4000 {
				l := goTask.Labels()[i%len(goTask.Labels())]
				o := randomOutput(score, goTask.Steps()-1)
				if goTask.Correct(o, l) != yTask.Correct(o, l) {
					t.Fatalf("rate score %d label %v differs", i, l)
				}
				dt := 5e-5
				out := randomOutput(score, int(float64(goTask.Steps()+1)*StepSeconds/dt))
				if goTask.CorrectSpiking(out, dt, l) != yTask.CorrectSpiking(out, dt, l) {
					t.Fatalf("spiking score %d label %v differs", i, l)
				}
			}
		})
	}
}

// randomOutput returns an output whose level and spread vary, so that
// every rule is met and missed: a constant level with one excursion.
func randomOutput(r *rand.Rand, n int) []float64 {
	o := make([]float64, n)
	level := 2*r.Float64() - 1
	for i := range o {
		o[i] = level + 0.05*r.NormFloat64()
	}
	if r.IntN(2) == 0 {
		at := r.IntN(n)
		o[at] = 2*r.Float64() - 1
	}
	return o
}

const dmsDecl = `
T: 200
params: {on: 20, dur: 20, delay: 40}
inputs: [a]
label:
  - {name: match, value: 1, p: 0.5}
  - {name: nonmatch, value: -1, p: 0.5}
conditions:
  - {name: s1, values: [1, -1], p: [0.5, 0.5]}
  - {name: s2, value: "if(label == match, s1, -s1)"}
events:
  - {input: a, onset: on, duration: dur, amplitude: s1}
  - {input: a, onset: on + dur + delay, duration: dur, amplitude: s2}
target:
  - {from: 120, value: label}
score:
  rate: {from: 130, rules: {match: {rule: max-above, threshold: 0.7}, nonmatch: {rule: min-below, threshold: -0.7}}}
  spiking: {from: 0.65, rules: {match: {rule: max-above, threshold: 0.7}, nonmatch: {rule: min-below, threshold: -0.7}}}
`

// TestDeclErrors checks that each bad declaration gives one clear error
// naming its field.
func TestDeclErrors(t *testing.T) {
	if _, err := mustDecl(t, dmsDecl).Compile(); err != nil {
		t.Fatalf("the good declaration: %v", err)
	}
	for _, c := range []struct {
		name, old, new, want string
	}{
		{"target window outside T", "{from: 120, value: label}", "{from: 120, to: 250, value: label}",
			"target[0].to: the target window ends at 250, outside T: want a step in (from=120, T-1=199]"},
		{"target window starts outside T", "{from: 120, value: label}", "{from: 300, value: label}",
			"target[0].from: the target window starts at 300, outside T"},
		{"scoring window outside T", "rate: {from: 130,", "rate: {from: -1,", "score.rate.from: the scoring window starts at -1, outside T"},
		{"spiking start outside T", "spiking: {from: 0.65", "spiking: {from: 1.5", "score.spiking.from: scoring from 1.5 s, outside the trial [0, 1 s)"},
		{"unknown channel", "{input: a, onset: on, duration", "{input: b, onset: on, duration", `events[0].input: unknown channel "b" (inputs: a)`},
		{"label probabilities", "{name: nonmatch, value: -1, p: 0.5}", "{name: nonmatch, value: -1, p: 0.4}", "label: the label probabilities sum to 0.9, want 1"},
		{"condition probabilities", "p: [0.5, 0.5]", "p: [0.5, 0.6]", `conditions[0].p: condition "s1": the probabilities sum to 1.1, want 1`},
		{"target refers to an unknown condition", "{from: 120, value: label}", "{from: 120, value: colour}", `target[0].value, col 1: unknown variable "colour"`},
		{"target refers to a stimulus condition", "{from: 120, value: label}", "{from: 120, value: label * s1}", `target[0].value, col 9: unknown variable "s1" of the target: a target depends on the label only`},
		{"event refers to a later condition", `"if(label == match, s1, -s1)"`, `"if(label == match, s3, -s1)"`, `conditions[1].value, col 20: unknown variable "s3"`},
		{"syntax", "amplitude: s1}", "amplitude: s1 +}", "events[0].amplitude, col 5: unexpected end of expression"},
		{"event outside T", "onset: on + dur + delay,", "onset: 250,", "events[1].onset: onset 250 is outside the trial [0, T=200)"},
		{"unknown rule", "match: {rule: max-above, threshold: 0.7}, nonmatch: {rule: min-below, threshold: -0.7}}}\n  spiking",
			"match: {rule: above, threshold: 0.7}, nonmatch: {rule: min-below, threshold: -0.7}}}\n  spiking", `score.rate.rules.match.rule: unknown rule "above"`},
		{"rule for an unknown label", "nonmatch: {rule: min-below, threshold: -0.7}}}\n  spiking", "other: {rule: min-below, threshold: -0.7}}}\n  spiking", `score.rate.rules.other: unknown label "other" (labels: match, nonmatch)`},
		{"missing rule", ", nonmatch: {rule: min-below, threshold: -0.7}}}\n  spiking", "}}\n  spiking", `score.rate.rules: no rule for label "nonmatch"`},
		{"duplicate label value", "{name: nonmatch, value: -1", "{name: nonmatch, value: 1", `label[1].value: labels "match" and "nonmatch" have the same value 1`},
		{"random target", "{from: 120, value: label}", "{from: 120, value: randn()}", "target[0].value, col 1: randn() draws a random number"},
		{"T", "T: 200", "T: 1", "T: T = 1, want ≥ 2"},
		{"infinite param", "delay: 40}", "delay: .inf}", `params.delay: param "delay" is +Inf, want a finite number`},
		{"NaN condition value", "values: [1, -1]", "values: [1, .nan]", `conditions[0].values[1]: condition "s1": value NaN, want a finite number`},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(dmsDecl, c.old, c.new, 1)
			if src == dmsDecl {
				t.Fatalf("%q not in the declaration", c.old)
			}
			d := mustDecl(t, src)
			_, err := d.Compile()
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("got %v\nwant %s…", err, c.want)
			}
		})
	}
}

func TestParseDeclErrors(t *testing.T) {
	for _, c := range []struct{ old, new, want string }{
		{"T: 200", "T: 200\nsteps: 3", "steps: unknown field (fields: T, params, inputs, label, conditions, events, target, score)"},
		{"T: 200", "T: 2.5", "T: want an integer, got 2.5"},
		{"inputs: [a]", "inputs: a", `inputs: want a list, got string "a"`},
		{"- {input: a, onset: on, duration: dur, amplitude: s1}", "- {input: a, onst: on, duration: dur, amplitude: s1}", "events[0].onst: unknown field"},
		{"- {from: 120, value: label}", "- {from: 120}", `target[0]: missing field "value"`},
	} {
		src := strings.Replace(dmsDecl, c.old, c.new, 1)
		_, err := ParseDecl("dms", []byte(src))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s → %s: got %v, want %s…", c.old, c.new, err, c.want)
		}
	}
}

func mustDecl(t *testing.T, src string) *Decl {
	t.Helper()
	d, err := ParseDecl("dms", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDeclJSON checks that a declaration survives its JSON form (what a
// TaskSpec carries between stages) and compiles to the same task.
func TestDeclJSON(t *testing.T) {
	d := mustDecl(t, dmsDecl)
	var back Decl
	if err := json.Unmarshal([]byte(d.JSON()), &back); err != nil {
		t.Fatal(err)
	}
	if back.JSON() != d.JSON() {
		t.Fatalf("round trip:\n%s\n%s", back.JSON(), d.JSON())
	}
	a, _ := d.Compile()
	b, err := back.Compile()
	if err != nil {
		t.Fatal(err)
	}
	ta, tb := NewTrial(a, Rate), NewTrial(b, Rate)
	NewStream(a, 5).Trial(3, ta)
	NewStream(b, 5).Trial(3, tb)
	if !mat.Equal(ta.U, tb.U) || ta.Label != tb.Label {
		t.Fatal("trials differ after the round trip")
	}
}

// TestDeclaredFigureHints checks what a figure marks for the declared
// twins: the stimulus windows of their fixed-timing events (not mante's
// context cues, which last to the end) and their spiking thresholds.
func TestDeclaredFigureHints(t *testing.T) {
	twins := builtinDecls(t)
	for _, c := range []struct {
		name    string
		windows [][2]int
		th      []float64
	}{
		{"go-nogo", [][2]int{{50, 75}}, []float64{0.7, 0.3}},
		{"xor", [][2]int{{50, 100}, {110, 160}}, []float64{0.7, -0.7}},
		{"mante", [][2]int{{50, 250}}, []float64{0.7, -0.7}},
	} {
		d := twins[c.name]
		if got := d.StimulusWindows(); !slices.Equal(got, c.windows) {
			t.Errorf("%s: windows %v, want %v", c.name, got, c.windows)
		}
		if got := d.Thresholds(); !slices.Equal(got, c.th) {
			t.Errorf("%s: thresholds %v, want %v", c.name, got, c.th)
		}
	}
}
