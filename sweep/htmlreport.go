package sweep

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spikernn/spikernn/pipeline"
)

// ReportFile is the sweep's report, in the sweep's directory: one HTML
// page with the figures embedded.
const ReportFile = "sweep_report.html"

// A PaperValue is what the paper reports for one value of an axis.
type PaperValue struct {
	// Value is the axis value as the sweep writes it (valueText).
	Value string
	// Networks and Successes are the networks trained and those converted
	// with LIF accuracy ≥ 95 % (0 networks: not reported); Mean and SD the
	// LIF accuracy in percent (NaN: not reported).
	Networks, Successes int
	// Fraction is the success fraction when the paper gives it without
	// the counts (NaN: from the counts, or not reported).
	Fraction float64
	Mean, SD float64
}

// A PaperQuote is what Kim, Li & Sejnowski (PNAS 2019) report on the
// go-nogo task for one axis.
type PaperQuote struct {
	// Axes are the sweep axis names the quote is about.
	Axes []string
	// Text is the paper's finding, quoted in words.
	Text string
	// Values are the numbers per axis value, where the paper gives them.
	Values []PaperValue
}

// PaperQuotes are the paper's go-nogo findings the report sets beside a
// sweep's, by axis.
var PaperQuotes = []PaperQuote{
	{
		Axes: []string{"activation"},
		Text: "Go-nogo, 100 rate networks per activation: with sigmoid units 94 of 100 converted successfully (LIF accuracy ≥ 95 %; 98.8 ± 4.7 %), with softplus units 55 % (88.3 ± 15.8 %) and with ReLU units none (59.7 ± 9.5 %).",
		Values: []PaperValue{
			{Value: "sigmoid", Networks: 100, Successes: 94, Fraction: math.NaN(), Mean: 98.8, SD: 4.7},
			{Value: "softplus", Fraction: 0.55, Mean: 88.3, SD: 15.8},
			{Value: "clipped_relu", Fraction: 0, Mean: 59.7, SD: 9.5},
		},
	},
	{
		Axes: []string{"N"},
		Text: "Go-nogo, sigmoid units: the conversion is robust for networks of N ≥ 200 units and best near N = 250.",
	},
	{
		Axes: []string{"taus"},
		Text: "Go-nogo: with the shortest synaptic decay (20 ms) the LIF networks averaged 93.91 ± 7.78 % and 65 % of them reached ≥ 95 %.",
		Values: []PaperValue{
			{Value: "[4,20]", Fraction: 0.65, Mean: 93.91, SD: 7.78},
		},
	},
	{
		Axes: []string{"tref", "refractory"},
		Text: "Go-nogo: a refractory period of 0 ms gave LIF accuracies of 92.8 ± 14.3 %, one of 2 ms 97.0 ± 6.6 %.",
	},
}

// reportPage is what the template renders.
type reportPage struct {
	Title, Pipeline, Version            string
	Points, Done, Failed, Running, Pend int
	FailedPoints                        []PointState
	Axes                                []reportAxis
	Figures                             []reportFigure
	Rows                                []reportRow
	AxisNames                           []string
	Conditions                          []string
	Threshold                           string
}

type reportAxis struct {
	Name   string
	Values []reportValue
	Quote  *PaperQuote
}

type reportValue struct {
	Value, Networks, Converged, Successes, Fraction, LIF, Rate string
	// Paper's, "" where it reports nothing.
	PaperFraction, PaperLIF string
}

type reportFigure struct {
	Title, Caption, File string
	Data                 template.URL
}

type reportRow struct {
	Point      string
	Axes       []string
	Converged  bool
	Rate, LIF  string
	ByCond     []string
	BestLambda string
	Seconds    string
}

// pct formats a fraction as a percentage, "–" for NaN.
func pct(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return strconv.FormatFloat(100*x, 'f', 1, 64) + " %"
}

// meanSDText formats a mean ± SD of fractions as percentages.
func meanSDText(mean, sd float64) string {
	switch {
	case math.IsNaN(mean):
		return "–"
	case math.IsNaN(sd):
		return fmt.Sprintf("%.1f %% (one network)", 100*mean)
	}
	return fmt.Sprintf("%.1f ± %.1f %%", 100*mean, 100*sd)
}

func quoteFor(axis string) *PaperQuote {
	for i := range PaperQuotes {
		for _, a := range PaperQuotes[i].Axes {
			if a == axis {
				return &PaperQuotes[i]
			}
		}
	}
	return nil
}

func (q *PaperQuote) value(v string) *PaperValue {
	if q == nil {
		return nil
	}
	for i := range q.Values {
		if q.Values[i].Value == v {
			return &q.Values[i]
		}
	}
	return nil
}

// paperFraction formats the paper's success fraction, with the counts
// when it gives them.
func (pv *PaperValue) fraction() string {
	switch {
	case pv.Networks > 0:
		return fmt.Sprintf("%d/%d (%s)", pv.Successes, pv.Networks, pct(float64(pv.Successes)/float64(pv.Networks)))
	case !math.IsNaN(pv.Fraction):
		return pct(pv.Fraction)
	}
	return ""
}

func (pv *PaperValue) lif() string {
	if math.IsNaN(pv.Mean) {
		return ""
	}
	if math.IsNaN(pv.SD) {
		return fmt.Sprintf("%g %%", pv.Mean)
	}
	return fmt.Sprintf("%g ± %g %%", pv.Mean, pv.SD)
}

// page assembles the report of the aggregate with figs drawn.
func (a *Aggregate) page(figs []SweepFigure) (*reportPage, error) {
	c := Counts(a.States)
	p := &reportPage{
		Title:    "spikernn sweep: " + a.Sweep.Pipeline,
		Pipeline: a.Sweep.Pipeline,
		Version:  strconv.Itoa(pipeline.ProgramVersion),
		Points:   len(a.States),
		Done:     c[StateDone], Failed: c[StateFailed], Running: c[StateRunning], Pend: c[StatePending],
		Conditions: a.Conditions,
		Threshold:  fmt.Sprintf("%g %%", SuccessThreshold*100),
	}
	for _, st := range a.States {
		if st.State == StateFailed {
			p.FailedPoints = append(p.FailedPoints, st)
		}
	}
	for _, st := range a.Stats() {
		ax := reportAxis{Name: st.Axis, Quote: quoteFor(st.Axis)}
		for _, v := range st.Values {
			rateMean, rateSD := meanSD(v.Rate)
			rv := reportValue{
				Value:     v.Value,
				Networks:  strconv.Itoa(v.Points()),
				Converged: strconv.Itoa(v.Converged),
				Successes: strconv.Itoa(v.Successes),
				Fraction:  pct(v.SuccessFraction()),
				LIF:       meanSDText(v.Mean, v.SD),
				Rate:      meanSDText(rateMean, rateSD),
			}
			if pv := ax.Quote.value(v.Value); pv != nil {
				rv.PaperFraction, rv.PaperLIF = pv.fraction(), pv.lif()
			}
			ax.Values = append(ax.Values, rv)
		}
		p.Axes = append(p.Axes, ax)
	}
	for _, f := range figs {
		b, err := os.ReadFile(filepath.Join(a.Sweep.Dir, f.File))
		if err != nil {
			return nil, fmt.Errorf("sweep: report: figure %s: %w", f.File, err)
		}
		p.Figures = append(p.Figures, reportFigure{
			Title: f.Title, Caption: f.Caption, File: filepath.ToSlash(f.File),
			// A PNG the sweep drew, base64: a safe data URL.
			Data: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b)),
		})
	}
	for _, ax := range a.Sweep.Matrix.Axes {
		p.AxisNames = append(p.AxisNames, ax.Name)
	}
	for _, r := range a.Rows {
		s := r.Summary
		row := reportRow{
			Point: r.Point.Name, Converged: s.Converged,
			Rate: pct(s.RateAccuracy), LIF: pct(s.LIFAccuracy),
			BestLambda: strconv.FormatFloat(s.BestLambda, 'g', -1, 64),
			Seconds:    strconv.FormatFloat(r.Seconds, 'f', 1, 64),
		}
		for _, ax := range a.Sweep.Matrix.Axes {
			row.Axes = append(row.Axes, valueText(r.Axis(ax.Name)))
		}
		for _, c := range a.Conditions {
			v, ok := s.LIFAccuracyBy[c]
			if !ok {
				v = math.NaN()
			}
			row.ByCond = append(row.ByCond, pct(v))
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

var reportTemplate = template.Must(template.New("sweep").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .8em;text-align:left}
th.paper,td.paper{background:#f4f1ea}
img{max-width:100%;border:1px solid #eee}figure{margin:2em 0}figcaption{color:#555;font-size:.95em}
blockquote{border-left:4px solid #c9b98f;margin:1em 0;padding:.2em 1em;background:#faf8f2}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Points}} points: {{.Done}} done, {{.Failed}} failed, {{.Running}} running, {{.Pend}} pending.
A conversion is successful when the LIF network's accuracy at its best λ is ≥ {{.Threshold}} (the paper's criterion).
Written by spikernn (program version {{.Version}}) from the points' summary.json files; the numbers are in sweep.parquet and sweep_lambda.parquet beside this file.</p>
{{if .FailedPoints}}<h2>Failed points</h2>
<table>
<tr><th>point</th><th>error</th></tr>
{{range .FailedPoints}}<tr><td>{{.Point}}</td><td>{{.Message}}</td></tr>
{{end}}</table>
{{end}}
{{range .Axes}}<h2>Per {{.Name}}</h2>
{{with .Quote}}<blockquote><p><strong>Kim, Li &amp; Sejnowski (PNAS 2019):</strong> {{.Text}}</p></blockquote>{{end}}
<table>
<tr><th>{{.Name}}</th><th>networks</th><th>rate training converged</th><th>successful (LIF ≥ {{$.Threshold}})</th><th>success fraction</th><th>LIF accuracy (mean ± SD)</th><th>rate accuracy (mean ± SD)</th>{{if .Quote}}{{if .Quote.Values}}<th class="paper">paper: success</th><th class="paper">paper: LIF accuracy</th>{{end}}{{end}}</tr>
{{$q := .Quote}}{{range .Values}}<tr><td>{{.Value}}</td><td>{{.Networks}}</td><td>{{.Converged}}</td><td>{{.Successes}}</td><td>{{.Fraction}}</td><td>{{.LIF}}</td><td>{{.Rate}}</td>{{if $q}}{{if $q.Values}}<td class="paper">{{.PaperFraction}}</td><td class="paper">{{.PaperLIF}}</td>{{end}}{{end}}</tr>
{{end}}</table>
{{end}}
{{if .Figures}}<h2>Figures</h2>
{{range .Figures}}<figure id="{{.File}}">
<h3>{{.Title}}</h3>
<img alt="{{.Title}}" src="{{.Data}}">
<figcaption>{{.Caption}} ({{.File}})</figcaption>
</figure>
{{end}}{{else}}<p>No point has finished yet: no figures.</p>
{{end}}
{{if .Rows}}<h2>Points</h2>
<table>
<tr><th>point</th>{{range .AxisNames}}<th>{{.}}</th>{{end}}<th>converged</th><th>rate accuracy</th><th>best λ</th><th>LIF accuracy</th>{{range .Conditions}}<th>LIF, {{.}}</th>{{end}}<th>seconds</th></tr>
{{range .Rows}}<tr><td>{{.Point}}</td>{{range .Axes}}<td>{{.}}</td>{{end}}<td>{{if .Converged}}yes{{else}}no{{end}}</td><td>{{.Rate}}</td><td>{{.BestLambda}}</td><td>{{.LIF}}</td>{{range .ByCond}}<td>{{.}}</td>{{end}}<td>{{.Seconds}}</td></tr>
{{end}}</table>
{{end}}
</body>
</html>
`))

// writeReport writes ReportFile into the sweep's directory.
func (a *Aggregate) writeReport(figs []SweepFigure) error {
	p, err := a.page(figs)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := reportTemplate.Execute(&b, p); err != nil {
		return fmt.Errorf("sweep: report: %w", err)
	}
	if err := pipeline.WriteFileAtomic(filepath.Join(a.Sweep.Dir, ReportFile), b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}
