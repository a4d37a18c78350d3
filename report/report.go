package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Summary holds the headline figures of a run; it is what summary.json
// contains.
type Summary struct {
	// Pipeline is the name of the pipeline that ran.
	Pipeline string `json:"pipeline"`
	// Task is the task name, e.g. "go-nogo".
	Task string `json:"task"`
	// TaskSpec is the task as the stages received it (items.TaskSpec.JSON):
	// the name, the timing and, for a task declared in YAML, its
	// declaration.
	TaskSpec json.RawMessage `json:"task_spec,omitempty"`
	// N is the number of units.
	N int `json:"N"`
	// Seed is the run seed.
	Seed int64 `json:"seed"`
	// TrialsTrained is the number of training trials run.
	TrialsTrained int `json:"trials_trained"`
	// Converged reports whether training met the stop rule.
	Converged bool `json:"converged"`
	// RateAccuracy is the rate network's last evaluation accuracy.
	RateAccuracy float64 `json:"rate_accuracy"`
	// RateLoss is the rate network's last mean evaluation loss.
	RateLoss float64 `json:"rate_loss"`
	// BestLambda is the scaling factor chosen by the λ search.
	BestLambda float64 `json:"best_lambda"`
	// LambdaAccuracy maps each factor searched (formatted with %g) to
	// the spiking network's accuracy.
	LambdaAccuracy map[string]float64 `json:"lambda_accuracy"`
	// LambdaCI maps each factor searched to its accuracy's 95 % Wilson
	// interval [lo, hi], and LambdaTrials to its number of trials.
	LambdaCI     map[string][2]float64 `json:"lambda_accuracy_ci,omitempty"`
	LambdaTrials map[string]int        `json:"lambda_trials,omitempty"`
	// SearchAccuracy is the λ search's accuracy at BestLambda, with its
	// 95 % interval: the maximum over the factors, so optimistic; the
	// conversion's LIFAccuracy re-scores BestLambda on fresh trials.
	// SearchTrialsRun is the number of trials the search simulated and
	// SearchStrategy its strategy (grid or race).
	SearchAccuracy  float64    `json:"search_accuracy,omitempty"`
	SearchCI        [2]float64 `json:"search_accuracy_ci,omitzero"`
	SearchTrialsRun int        `json:"search_trials_run,omitempty"`
	SearchStrategy  string     `json:"search_strategy,omitempty"`
	// LIFAccuracy is the spiking network's accuracy at BestLambda over the
	// conversion trials, and LIFAccuracyBy the same per condition.
	LIFAccuracy   float64            `json:"lif_accuracy"`
	LIFAccuracyBy map[string]float64 `json:"lif_accuracy_by_condition,omitempty"`
	// LIFCI is LIFAccuracy's 95 % Wilson interval.
	LIFCI [2]float64 `json:"lif_accuracy_ci,omitzero"`
	// LIFTrials is the number of conversion trials.
	LIFTrials int `json:"lif_trials"`
	// NSpikes is the total number of spikes over the conversion trials.
	NSpikes int64 `json:"n_spikes"`
	// RateHzE and RateHzI are the mean firing rates of excitatory and
	// inhibitory units over the conversion trials.
	RateHzE float64 `json:"rate_hz_E"`
	RateHzI float64 `json:"rate_hz_I"`
	// Neuron is the spiking unit of the conversion (of the λ search when
	// there is no conversion); SearchNeuron that of the λ search when it
	// differs from the conversion's. Nil when neither stage ran.
	Neuron       *Neuron `json:"neuron,omitempty"`
	SearchNeuron *Neuron `json:"search_neuron,omitempty"`
	// ModelFile is the model file a loaded model came from, and
	// ModelAssumptions what was assumed for the fields it lacks, one
	// "field: what was assumed" line each (rate.LoadWithNotes); both empty
	// for a model trained in the run.
	ModelFile        string   `json:"model_file,omitempty"`
	ModelAssumptions []string `json:"model_assumptions,omitempty"`
	// Seconds maps each stage to the time it worked, in seconds, from its
	// manifest (for a stage reused from the cache, the time of the run that
	// computed it).
	Seconds map[string]float64 `json:"seconds"`
	// Version is the program version that produced the run.
	Version string `json:"version"`
}

// Neuron records the spiking unit of a conversion in the units of the
// stages' neuron settings: times in ms, voltages in mV.
type Neuron struct {
	// Model is "lif" or "qif".
	Model string `json:"model"`
	// TRef is the refractory period, TM the membrane time constant and
	// TR the synaptic rise time (0: single-exponential filter), in ms.
	TRef float64 `json:"tref"`
	TM   float64 `json:"tm"`
	TR   float64 `json:"tr"`
	// VReset, VPeak and Bias are the reset voltage, the threshold and the
	// bias current, in mV.
	VReset float64 `json:"vreset"`
	VPeak  float64 `json:"vpeak"`
	Bias   float64 `json:"bias"`
}

// ReadSummary reads a summary.json file.
func ReadSummary(path string) (*Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("report: %s: %w", path, err)
	}
	return &s, nil
}

// WriteSummary writes s as indented JSON to path atomically.
func WriteSummary(path string, s *Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// Figure is one figure of a report.
type Figure struct {
	// File is the PNG's path relative to the report's directory.
	File string
	// Title is shown above the figure.
	Title string
	// Caption says what the figure shows.
	Caption string
}

// Report is what WriteReport writes.
type Report struct {
	// Title heads the report.
	Title string
	// Summary holds the headline figures.
	Summary *Summary
	// Figures are shown in order.
	Figures []Figure
	// Settings is the resolved pipeline definition (YAML), shown verbatim.
	Settings string
	// Provenance lists program version, seed, stage keys and the like.
	Provenance map[string]string
}

// headline returns the rows of the headline table.
func (r *Report) headline() [][2]string {
	s := r.Summary
	if s == nil {
		return nil
	}
	conv := "no (stop rule not met)"
	if s.Converged {
		conv = "yes"
	}
	rows := [][2]string{
		{"task", s.Task},
		{"units (N)", strconv.Itoa(s.N)},
		{"seed", strconv.FormatInt(s.Seed, 10)},
		{"training trials", strconv.Itoa(s.TrialsTrained)},
		{"converged", conv},
		{"rate accuracy", fmt.Sprintf("%.2f", s.RateAccuracy)},
		{"rate eval loss", fmt.Sprintf("%.3f", s.RateLoss)},
		{"best λ", strconv.FormatFloat(s.BestLambda, 'g', -1, 64)},
	}
	if s.SearchCI != [2]float64{} {
		n := ""
		if t, ok := s.LambdaTrials[strconv.FormatFloat(s.BestLambda, 'g', -1, 64)]; ok {
			n = fmt.Sprintf(", %d trials", t)
		}
		rows = append(rows, [2]string{"λ search accuracy at best λ (the maximum: optimistic)",
			fmt.Sprintf("%.2f [%.2f, %.2f]%s", s.SearchAccuracy, s.SearchCI[0], s.SearchCI[1], n)})
	}
	if s.SearchTrialsRun > 0 {
		rows = append(rows, [2]string{"λ search trials run", fmt.Sprintf("%d (%s)", s.SearchTrialsRun, s.SearchStrategy)})
	}
	lif := fmt.Sprintf("%.2f (%d trials)", s.LIFAccuracy, s.LIFTrials)
	if s.LIFCI != [2]float64{} {
		lif = fmt.Sprintf("%.2f [%.2f, %.2f] (%d fresh trials)", s.LIFAccuracy, s.LIFCI[0], s.LIFCI[1], s.LIFTrials)
	}
	rows = append(rows, [2]string{"LIF accuracy at best λ, re-scored", lif})
	for _, c := range slices.Sorted(maps.Keys(s.LIFAccuracyBy)) {
		rows = append(rows, [2]string{"LIF accuracy, " + c, fmt.Sprintf("%.2f", s.LIFAccuracyBy[c])})
	}
	rows = append(rows,
		[2]string{"spikes", strconv.FormatInt(s.NSpikes, 10)},
		[2]string{"mean rate E / I (Hz)", fmt.Sprintf("%.2f / %.2f", s.RateHzE, s.RateHzI)},
	)
	return rows
}

// lambdaRows returns the λ table sorted by factor.
func (r *Report) lambdaRows() [][2]string {
	if r.Summary == nil {
		return nil
	}
	keys := make([]string, 0, len(r.Summary.LambdaAccuracy))
	for k := range r.Summary.LambdaAccuracy {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, _ := strconv.ParseFloat(keys[i], 64)
		b, _ := strconv.ParseFloat(keys[j], 64)
		return a < b
	})
	rows := make([][2]string, len(keys))
	for i, k := range keys {
		rows[i] = [2]string{k, fmt.Sprintf("%.2f", r.Summary.LambdaAccuracy[k])}
		if ci, ok := r.Summary.LambdaCI[k]; ok {
			rows[i][1] += fmt.Sprintf(" [%.2f, %.2f]", ci[0], ci[1])
		}
		if n, ok := r.Summary.LambdaTrials[k]; ok {
			rows[i][1] += fmt.Sprintf(" (%d)", n)
		}
	}
	return rows
}

// Markdown renders the report as Markdown that links the figures.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", r.Title)
	if rows := r.headline(); len(rows) > 0 {
		b.WriteString("## Headline\n\n| | |\n|---|---|\n")
		for _, row := range rows {
			fmt.Fprintf(&b, "| %s | %s |\n", row[0], row[1])
		}
		b.WriteString("\n")
	}
	if rows := r.lambdaRows(); len(rows) > 0 {
		b.WriteString("## Scaling factor search\n\n| λ | accuracy [95 % Wilson interval] (trials) |\n|---|---|\n")
		for _, row := range rows {
			fmt.Fprintf(&b, "| %s | %s |\n", row[0], row[1])
		}
		b.WriteString("\n")
	}
	if len(r.Figures) > 0 {
		b.WriteString("## Figures\n\n")
		for _, f := range r.Figures {
			fmt.Fprintf(&b, "### %s\n\n![%s](%s)\n\n", f.Title, f.Title, filepath.ToSlash(f.File))
			if f.Caption != "" {
				fmt.Fprintf(&b, "%s\n\n", f.Caption)
			}
		}
	}
	if r.Summary != nil && len(r.Summary.Seconds) > 0 {
		b.WriteString("## Stage times\n\n| stage | seconds |\n|---|---|\n")
		for _, k := range slices.Sorted(maps.Keys(r.Summary.Seconds)) {
			fmt.Fprintf(&b, "| %s | %.2f |\n", k, r.Summary.Seconds[k])
		}
		b.WriteString("\n")
	}
	if r.Settings != "" {
		fmt.Fprintf(&b, "## Settings\n\n```yaml\n%s\n```\n\n", strings.TrimRight(r.Settings, "\n"))
	}
	if len(r.Provenance) > 0 {
		b.WriteString("## Provenance\n\n| | |\n|---|---|\n")
		for _, k := range slices.Sorted(maps.Keys(r.Provenance)) {
			fmt.Fprintf(&b, "| %s | `%s` |\n", k, r.Provenance[k])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// HTML renders the report as one self-contained HTML page: the figures
// are read from dir and embedded as data URIs.
func (r *Report) HTML(dir string) (string, error) {
	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n", esc(r.Title))
	b.WriteString(`<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .8em;text-align:left}
img{max-width:100%;border:1px solid #eee}pre{background:#f6f6f6;padding:1em;overflow:auto}
figure{margin:2em 0}figcaption{color:#555;font-size:.95em}
</style>
</head>
<body>
`)
	fmt.Fprintf(&b, "<h1>%s</h1>\n", esc(r.Title))
	table := func(head [2]string, rows [][2]string) {
		fmt.Fprintf(&b, "<table>\n<tr><th>%s</th><th>%s</th></tr>\n", esc(head[0]), esc(head[1]))
		for _, row := range rows {
			fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td></tr>\n", esc(row[0]), esc(row[1]))
		}
		b.WriteString("</table>\n")
	}
	if rows := r.headline(); len(rows) > 0 {
		b.WriteString("<h2>Headline</h2>\n")
		table([2]string{"", ""}, rows)
	}
	if rows := r.lambdaRows(); len(rows) > 0 {
		b.WriteString("<h2>Scaling factor search</h2>\n")
		table([2]string{"λ", "accuracy [95 % Wilson interval] (trials)"}, rows)
	}
	if len(r.Figures) > 0 {
		b.WriteString("<h2>Figures</h2>\n")
	}
	for _, f := range r.Figures {
		data, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			return "", fmt.Errorf("report: figure %q: %w", f.Title, err)
		}
		fmt.Fprintf(&b, "<figure id=%q>\n<h3>%s</h3>\n<img alt=\"%s\" src=\"data:image/png;base64,%s\">\n",
			filepath.ToSlash(f.File), esc(f.Title), esc(f.Title), base64.StdEncoding.EncodeToString(data))
		if f.Caption != "" {
			fmt.Fprintf(&b, "<figcaption>%s</figcaption>\n", esc(f.Caption))
		}
		b.WriteString("</figure>\n")
	}
	if r.Summary != nil && len(r.Summary.Seconds) > 0 {
		b.WriteString("<h2>Stage times</h2>\n")
		var rows [][2]string
		for _, k := range slices.Sorted(maps.Keys(r.Summary.Seconds)) {
			rows = append(rows, [2]string{k, fmt.Sprintf("%.2f", r.Summary.Seconds[k])})
		}
		table([2]string{"stage", "seconds"}, rows)
	}
	if r.Settings != "" {
		fmt.Fprintf(&b, "<h2>Settings</h2>\n<pre>%s</pre>\n", esc(r.Settings))
	}
	if len(r.Provenance) > 0 {
		b.WriteString("<h2>Provenance</h2>\n")
		var rows [][2]string
		for _, k := range slices.Sorted(maps.Keys(r.Provenance)) {
			rows = append(rows, [2]string{k, r.Provenance[k]})
		}
		table([2]string{"", ""}, rows)
	}
	b.WriteString("</body>\n</html>\n")
	return b.String(), nil
}

// WriteReport writes report.md and report.html into dir. Figure files are
// relative to dir and must exist.
func WriteReport(dir string, r *Report) error {
	page, err := r.HTML(dir)
	if err != nil {
		return err
	}
	for _, f := range r.Figures {
		if _, err := os.Stat(filepath.Join(dir, f.File)); err != nil {
			return fmt.Errorf("report: figure %q: %w", f.Title, err)
		}
	}
	if err := writeAtomic(filepath.Join(dir, "report.md"), func(w io.Writer) error {
		_, err := io.WriteString(w, r.Markdown())
		return err
	}); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, "report.html"), func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewBufferString(page))
		return err
	})
}
