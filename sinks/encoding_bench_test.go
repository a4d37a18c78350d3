package sinks

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// The encoding benchmarks write realistic data with each candidate encoding
// and report the file size; they are how the per-column encodings in
// columnEncodings were chosen (see doc.go). Their time includes generating
// the data. Run with -benchtime=1x.

// encodingCase is a candidate: options, whose encodings override the
// defaults.
type encodingCase struct {
	name string
	opts ParquetOptions
}

// encodingFor returns an override of the encoding of cols.
func encodingFor(e encoding, cols ...string) map[string]encoding {
	m := map[string]encoding{}
	for _, c := range cols {
		m[c] = e
	}
	return m
}

// BenchmarkSpikeEncodings writes 100 trials (5 M rows) of realistic spikes.
func BenchmarkSpikeEncodings(b *testing.B) {
	cases := []encodingCase{
		{name: "default"},
		{name: "all-dictionary", opts: ParquetOptions{encodings: encodingFor(encRLEDict, "step", "t")}},
		{name: "no-dictionary", opts: ParquetOptions{encodings: encodingFor(encPlain, "trial", "neuron")}},
		{name: "all-plain", opts: ParquetOptions{encodings: encodingFor(encPlain, "trial", "neuron", "step", "t")}},
		{name: "step-plain", opts: ParquetOptions{encodings: encodingFor(encPlain, "step")}},
		{name: "t-byte-stream-split", opts: ParquetOptions{encodings: encodingFor(encBSS, "t")}},
		{name: "zstd-level-9", opts: ParquetOptions{CompressionLevel: 9}},
		{name: "snappy", opts: ParquetOptions{Compression: "snappy"}},
		{name: "none", opts: ParquetOptions{Compression: "none"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "spikes.parquet")
			for b.Loop() {
				writeSpikesFile(b, path, 100, &c.opts)
			}
			reportSize(b, path, 100*benchSpikesPerTrial)
		})
	}
}

// BenchmarkOutputEncodings writes 100 trials (2 M rows) of realistic
// network outputs.
func BenchmarkOutputEncodings(b *testing.B) {
	cases := []encodingCase{
		{name: "default"},
		{name: "all-dictionary", opts: ParquetOptions{encodings: encodingFor(encRLEDict, "step", "t", "out")}},
		{name: "out-plain", opts: ParquetOptions{encodings: encodingFor(encPlain, "out")}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "outputs.parquet")
			for b.Loop() {
				writeOutputsFile(b, path, 100, &c.opts)
			}
			reportSize(b, path, 100*benchSteps)
		})
	}
}

func reportSize(b *testing.B, path string, rows int) {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size())/1e6, "MB")
	b.ReportMetric(float64(fi.Size())/float64(rows), "B/row")
}

// writeSpikesFile writes trials × 50,000 realistic spike rows to path, one
// trial per batch, and returns the peak heap in use seen after each batch.
func writeSpikesFile(tb testing.TB, path string, trials int, opts *ParquetOptions) uint64 {
	var rows SpikeRows
	rng := rand.New(rand.NewPCG(1, 2))
	var steps []int32
	return writeFile(tb, path, &rows, trials, opts, func(trial int32) {
		steps = spikeTrial(&rows, trial, rng, steps)
	})
}

// writeOutputsFile writes trials × 20,000 realistic output rows to path.
func writeOutputsFile(tb testing.TB, path string, trials int, opts *ParquetOptions) uint64 {
	var rows OutputRows
	rng := rand.New(rand.NewPCG(1, 2))
	return writeFile(tb, path, &rows, trials, opts, func(trial int32) { outputTrial(&rows, trial, rng) })
}

// writeFile writes trials batches of rows, each filled by fill, to path and
// returns the peak heap in use seen after each batch.
func writeFile(tb testing.TB, path string, rows Table, trials int, opts *ParquetOptions, fill func(trial int32)) uint64 {
	w, err := CreateParquet(path, rows.Schema(), map[string]string{"seed": "1"}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	defer w.Abort()
	var peak uint64
	for trial := range int32(trials) {
		rows.Reset()
		fill(trial)
		if err := w.Write(rows); err != nil {
			tb.Fatal(err)
		}
		peak = max(peak, heapInuse())
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return peak
}
