package report

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestWriteReport(t *testing.T) {
	dir := t.TempDir()
	plots := filepath.Join(dir, "plots")
	if err := TrainingFigure(filepath.Join(plots, "training.png"), syntheticTraining()); err != nil {
		t.Fatal(err)
	}
	lam := Lambda{Factors: []float64{20, 25, 30}, Accuracy: []float64{0.7, 0.9, 0.8}, Best: 25}
	if err := LambdaFigure(filepath.Join(plots, "lambda.png"), lam); err != nil {
		t.Fatal(err)
	}
	s := &Summary{
		Pipeline: "go-nogo", Task: "go-nogo", N: 200, Seed: 1, TrialsTrained: 1601, Converged: true,
		RateAccuracy: 0.98, RateLoss: 3.2, BestLambda: 25,
		LambdaAccuracy: map[string]float64{"20": 0.7, "25": 0.9, "30": 0.8},
		LambdaCI:       map[string][2]float64{"20": {0.6, 0.78}, "25": {0.83, 0.94}, "30": {0.71, 0.87}},
		LambdaTrials:   map[string]int{"20": 100, "25": 100, "30": 100},
		SearchAccuracy: 0.9, SearchCI: [2]float64{0.83, 0.94}, SearchTrialsRun: 300, SearchStrategy: "grid",
		LIFCI:       [2]float64{0.84, 0.95},
		LIFAccuracy: 0.91, LIFAccuracyBy: map[string]float64{"go": 0.95, "nogo": 0.87}, LIFTrials: 100,
		NSpikes: 81234, RateHzE: 4.1, RateHzI: 12.5, Seconds: map[string]float64{"train": 9.5, "lambda": 12.25},
		Version: "test",
	}
	if err := WriteSummary(filepath.Join(dir, "summary.json"), s); err != nil {
		t.Fatal(err)
	}
	back, err := ReadSummary(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := &Report{
		Title:   "spikernn run: go-nogo",
		Summary: back,
		Figures: []Figure{
			{File: "plots/training.png", Title: "Training", Caption: "loss and accuracy"},
			{File: "plots/lambda.png", Title: "λ search"},
		},
		Settings:   "N: 200\nseed: 1\n",
		Provenance: map[string]string{"version": "test", "train key": "abc123"},
	}
	if err := WriteReport(dir, r); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	// Every figure is linked and exists.
	links := regexp.MustCompile(`!\[[^\]]*\]\(([^)]+)\)`).FindAllStringSubmatch(string(md), -1)
	if len(links) != 2 {
		t.Fatalf("report.md links %d figures, want 2", len(links))
	}
	for _, l := range links {
		if _, err := os.Stat(filepath.Join(dir, l[1])); err != nil {
			t.Fatalf("link %s: %v", l[1], err)
		}
	}
	// Headline figures match summary.json.
	for _, want := range []string{"| rate accuracy | 0.98 |", "| best λ | 25 |", "| LIF accuracy at best λ, re-scored | 0.91 [0.84, 0.95] (100 fresh trials) |",
		"| λ search accuracy at best λ (the maximum: optimistic) | 0.90 [0.83, 0.94], 100 trials |", "| λ search trials run | 300 (grid) |",
		"| LIF accuracy, nogo | 0.87 |", "| spikes | 81234 |", "| 30 | 0.80 [0.71, 0.87] (100) |", "| lambda | 12.25 |", "| train key | `abc123` |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	imgs := regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`).FindAllStringSubmatch(string(page), -1)
	if len(imgs) != 2 {
		t.Fatalf("report.html embeds %d images, want 2", len(imgs))
	}
	png0, _ := os.ReadFile(filepath.Join(plots, "training.png"))
	if got, _ := base64.StdEncoding.DecodeString(imgs[0][1]); string(got) != string(png0) {
		t.Fatal("embedded training figure differs from the file")
	}
	if strings.Contains(string(page), "src=\"plots/") {
		t.Fatal("report.html is not self-contained")
	}
}

func TestWriteReportMissingFigure(t *testing.T) {
	dir := t.TempDir()
	r := &Report{Title: "x", Figures: []Figure{{File: "plots/none.png", Title: "none"}}}
	err := WriteReport(dir, r)
	if err == nil || !strings.Contains(err.Error(), "none") {
		t.Fatalf("error %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.md")); !os.IsNotExist(err) {
		t.Fatal("report.md written despite the error")
	}
}
