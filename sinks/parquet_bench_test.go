package sinks

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// spikeBatches returns n trials of realistic spikes, one batch each.
func spikeBatches(n int) []*SpikeRows {
	rng := rand.New(rand.NewPCG(1, 2))
	var steps []int32
	out := make([]*SpikeRows, n)
	for i := range out {
		out[i] = new(SpikeRows)
		steps = spikeTrial(out[i], int32(i), rng, steps)
	}
	return out
}

// relabel sets the trial column of rows to trial.
func relabel(rows *SpikeRows, trial int32) {
	for i := range rows.Trial {
		rows.Trial[i] = trial
	}
}

// BenchmarkWriteSpikes writes 5 M realistic spike rows (100 trials of
// 50,000) per op to a Parquet file with the default options, cycling
// through 10 pre-generated trials so that generating them is not measured.
// It reports ns/row, the file size and the peak heap in use sampled after
// every batch.
func BenchmarkWriteSpikes(b *testing.B) { benchWriteSpikes(b, benchSpikesPerTrial) }

// BenchmarkWriteSpikesBatch1024 is BenchmarkWriteSpikes with batches of
// 1,024 rows, measuring the cost per Write call.
func BenchmarkWriteSpikesBatch1024(b *testing.B) { benchWriteSpikes(b, 1024) }

func benchWriteSpikes(b *testing.B, batch int) {
	const trials = 100
	src := spikeBatches(10)
	path := filepath.Join(b.TempDir(), "spikes.parquet")
	var rows SpikeRows
	runtime.GC()
	var peak uint64
	b.ResetTimer()
	for b.Loop() {
		w, err := CreateParquet(path, rows.Schema(), map[string]string{"seed": "1"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		for trial := range int32(trials) {
			s := src[trial%10]
			relabel(s, trial)
			for lo := 0; lo < s.Len(); lo += batch {
				hi := min(lo+batch, s.Len())
				rows.Trial, rows.Neuron, rows.Step, rows.T = s.Trial[lo:hi], s.Neuron[lo:hi], s.Step[lo:hi], s.T[lo:hi]
				if err := w.Write(&rows); err != nil {
					b.Fatal(err)
				}
			}
			peak = max(peak, heapInuse())
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(trials*benchSpikesPerTrial), "ns/row")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size())/1e6, "file-MB")
}

// BenchmarkArrowStreamSpikes writes 5 M spike rows per op as an Arrow IPC
// stream to io.Discard, in batches of 50,000.
func BenchmarkArrowStreamSpikes(b *testing.B) {
	const trials = 100
	src := spikeBatches(10)
	var rows SpikeRows
	for b.Loop() {
		s, err := NewArrowStream(io.Discard, rows.Schema(), nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		for trial := range int32(trials) {
			if err := s.Write(src[trial%10]); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(trials*benchSpikesPerTrial), "ns/row")
}
