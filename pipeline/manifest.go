package pipeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// ManifestName is the file name of a stage's manifest inside its stage
// directory. A stage without a manifest has no committed output.
const ManifestName = "manifest.json"

// StagesDir is the directory, inside a pipeline's directory, holding one
// directory per stage with its manifest, artifacts and cached values.
const StagesDir = ".stages"

// A Manifest records a committed stage: what it was computed from, when,
// which files it wrote and the headline figures it reported. It is written
// last, atomically: its presence means the stage's outputs are complete.
type Manifest struct {
	Pipeline       string `json:"pipeline"`
	Stage          string `json:"stage"`
	Kind           string `json:"kind"`
	KindVersion    int    `json:"kind_version"`
	ProgramVersion int    `json:"program_version"`
	// Key is the stage's cache key when it ran.
	Key string `json:"key"`
	// Settings are the resolved settings.
	Settings map[string]any `json:"settings"`
	// Inputs are the connected inputs and the keys of their sources.
	Inputs []ManifestInput `json:"inputs"`
	// InputFiles maps File settings to the SHA-256 of the file read.
	InputFiles map[string]string `json:"input_files,omitempty"`
	Start      time.Time         `json:"start"`
	End        time.Time         `json:"end"`
	// Seconds is the wall time from the stage's start to its commit,
	// including the time it waited for its inputs (stages run
	// concurrently, so a stage starts with the run and waits for its
	// upstream values).
	Seconds float64 `json:"seconds"`
	// BusySeconds is the time the stage itself worked: from its start to
	// the end of its Run, less the time Run was blocked on its channels
	// (waiting for inputs, or for consumers to take its outputs).
	BusySeconds float64 `json:"busy_seconds"`
	// Data is the directory, inside the stage directory, holding the
	// stage's artifacts (Job.Dir) and cached values.
	Data string `json:"data"`
	// Artifacts are the files under Data.
	Artifacts []FileInfo `json:"artifacts"`
	// Outputs are the files published into the pipeline directory.
	Outputs []FileInfo `json:"outputs"`
	// Values are the cached value outputs, by port.
	Values map[string]ValueInfo `json:"values,omitempty"`
	// Headline holds the figures the stage reported with Job.Headline;
	// numbers are float64.
	Headline map[string]any `json:"headline,omitempty"`
}

// ManifestInput records one connected input of a committed stage.
type ManifestInput struct {
	Port string   `json:"port"`
	From []string `json:"from"`
	Keys []string `json:"keys"`
}

// ValueInfo records a cached value output.
type ValueInfo struct {
	Codec string `json:"codec"`
	Type  string `json:"type"`
	// Dir is relative to the manifest's Data directory.
	Dir string `json:"dir"`
}

// ReadManifest reads the manifest of a stage directory. It returns an error
// satisfying errors.Is(err, fs.ErrNotExist) when the stage has none.
func ReadManifest(stageDir string) (*Manifest, error) {
	path := filepath.Join(stageDir, ManifestName)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("pipeline: %s: %w", path, err)
	}
	m.Settings, _ = numbersToValues(m.Settings).(map[string]any)
	for k, v := range m.Headline {
		if n, ok := v.(json.Number); ok {
			m.Headline[k], _ = n.Float64()
		}
	}
	return &m, nil
}

// numbersToValues turns json.Numbers into int64 or float64.
func numbersToValues(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil && !strings.ContainsAny(string(x), ".eE") {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = numbersToValues(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = numbersToValues(x[k])
		}
	}
	return v
}

func writeManifest(stageDir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("pipeline: manifest of %s: %w", m.Stage, err)
	}
	b = append(b, '\n')
	// The checksum first: a crash between the two leaves no manifest, or
	// one whose checksum does not match; either way the stage reruns.
	sum := sha256.Sum256(b)
	if err := WriteFileAtomic(filepath.Join(stageDir, manifestSumName), []byte(hex.EncodeToString(sum[:])+"\n"), 0o644); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(stageDir, ManifestName), b, 0o644)
}

// manifestSumName is the file beside a manifest holding its SHA-256, so
// that a manifest edited or damaged behind the runner's back is not
// trusted.
const manifestSumName = "manifest.sha256"

// checkManifestSum returns "" when the manifest of stage directory sd
// matches its recorded SHA-256, else the reason to rerun the stage.
func checkManifestSum(sd string) string {
	b, err := os.ReadFile(filepath.Join(sd, ManifestName))
	if err != nil {
		return "manifest unreadable"
	}
	want, err := os.ReadFile(filepath.Join(sd, manifestSumName))
	if err != nil {
		return "manifest has no recorded checksum"
	}
	sum := sha256.Sum256(b)
	if strings.TrimSpace(string(want)) != hex.EncodeToString(sum[:]) {
		return "manifest edited or damaged (its SHA-256 differs from the one recorded)"
	}
	return ""
}

// stageDir is the directory of a stage.
func (g *Graph) stageDir(name string) string { return filepath.Join(g.Dir, StagesDir, name) }

// Manifest reads the committed manifest of the named stage. It returns an
// error satisfying errors.Is(err, fs.ErrNotExist) when the stage has none.
func (g *Graph) Manifest(stage string) (*Manifest, error) { return ReadManifest(g.stageDir(stage)) }

// staleness compares a stage's manifest with its current state and returns
// "" when it is up to date, else the reason it must run.
func (g *Graph) staleness(n *Node, m *Manifest) string {
	if m == nil {
		return "no manifest"
	}
	if m.ProgramVersion != ProgramVersion {
		return fmt.Sprintf("program version changed %d→%d", m.ProgramVersion, ProgramVersion)
	}
	if m.Kind != n.Kind {
		return fmt.Sprintf("kind changed %s→%s", m.Kind, n.Kind)
	}
	if m.KindVersion != n.Spec.Version {
		return fmt.Sprintf("kind %s version changed %d→%d", n.Kind, m.KindVersion, n.Spec.Version)
	}
	var reasons []string
	if diffs := diffValues("", m.Settings, n.Settings); len(diffs) > 0 {
		reasons = append(reasons, summarize("setting", diffs))
	}
	reasons = append(reasons, g.inputChanges(n, m)...)
	for _, path := range slices.Sorted(maps.Keys(n.files)) {
		if m.InputFiles[path] != n.files[path] {
			reasons = append(reasons, fmt.Sprintf("input file of setting %s changed", path))
		}
	}
	if len(reasons) == 0 && m.Key != n.Key {
		reasons = append(reasons, "cache key changed")
	}
	if len(reasons) > 0 {
		return strings.Join(reasons, "; ")
	}
	// Same key: check the committed files are still there.
	sd := g.stageDir(n.Name)
	if m.Data == "" {
		return "manifest without data directory"
	}
	if why := checkManifestSum(sd); why != "" {
		return why
	}
	for _, a := range m.Artifacts {
		if verifyFile(filepath.Join(sd, m.Data, filepath.FromSlash(a.Path)), a) != "" {
			return fmt.Sprintf("artifact %s missing or changed", a.Path)
		}
	}
	for _, o := range m.Outputs {
		if what := verifyFile(filepath.Join(g.Dir, filepath.FromSlash(o.Path)), o); what != "" {
			return fmt.Sprintf("output %s %s", o.Path, what)
		}
	}
	return ""
}

// inputChanges describes how n's inputs differ from those recorded.
func (g *Graph) inputChanges(n *Node, m *Manifest) []string {
	old := map[string]ManifestInput{}
	for _, in := range m.Inputs {
		old[in.Port] = in
	}
	var out []string
	changedUp := map[string]bool{}
	var upNames []string
	for _, in := range n.Inputs {
		var from []string
		for _, s := range in.From {
			from = append(from, s.String())
		}
		o, ok := old[in.Port]
		delete(old, in.Port)
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("input %s connected to %s", in.Port, strings.Join(from, ", ")))
		case strings.Join(o.From, ",") != strings.Join(from, ","):
			out = append(out, fmt.Sprintf("input %s now reads %s (was %s)", in.Port, strings.Join(from, ", "), strings.Join(o.From, ", ")))
		default:
			for i, s := range in.From {
				if i < len(o.Keys) && o.Keys[i] != g.byName[s.Stage].Key && !changedUp[s.Stage] {
					changedUp[s.Stage] = true
					upNames = append(upNames, s.Stage)
				}
			}
		}
	}
	for _, port := range slices.Sorted(maps.Keys(old)) {
		out = append(out, fmt.Sprintf("input %s disconnected", port))
	}
	if len(upNames) == 1 {
		out = append(out, fmt.Sprintf("upstream %s changed", upNames[0]))
	} else if len(upNames) > 1 {
		out = append(out, fmt.Sprintf("upstream %s changed", strings.Join(upNames, ", ")))
	}
	return out
}

// diffValues lists the differences between an old and a new resolved value,
// as "path changed a→b", "path added (= v)", "path removed".
func diffValues(path string, old, cur any) []string {
	om, oIsMap := old.(map[string]any)
	cm, cIsMap := cur.(map[string]any)
	if oIsMap && cIsMap {
		keys := map[string]bool{}
		for k := range om {
			keys[k] = true
		}
		for k := range cm {
			keys[k] = true
		}
		var out []string
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			p := joinPath(path, k)
			ov, oOK := om[k]
			cv, cOK := cm[k]
			switch {
			case !oOK:
				out = append(out, fmt.Sprintf("%s added (= %s)", p, showValue(cv)))
			case !cOK:
				out = append(out, fmt.Sprintf("%s removed", p))
			default:
				out = append(out, diffValues(p, ov, cv)...)
			}
		}
		return out
	}
	was, now := showValue(old), showValue(cur)
	if was == now {
		return nil
	}
	return []string{fmt.Sprintf("%s changed %s→%s", path, was, now)}
}

// summarize joins diffs as "setting N changed 200→300" or
// "settings a changed 1→2, b added (= 3)", at most three shown.
func summarize(noun string, diffs []string) string {
	sort.Strings(diffs)
	if len(diffs) == 1 {
		return noun + " " + diffs[0]
	}
	shown := diffs
	more := ""
	if len(shown) > 3 {
		shown, more = shown[:3], fmt.Sprintf(" and %d more", len(diffs)-3)
	}
	return noun + "s " + strings.Join(shown, ", ") + more
}
