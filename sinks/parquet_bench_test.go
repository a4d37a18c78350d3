package sinks

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
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
func BenchmarkWriteSpikes(b *testing.B) { benchWriteSpikes(b, benchSpikesPerTrial, nil) }

// BenchmarkWriteSpikesRowGroup256K is BenchmarkWriteSpikes with row groups
// of 262,144 rows.
func BenchmarkWriteSpikesRowGroup256K(b *testing.B) {
	benchWriteSpikes(b, benchSpikesPerTrial, &ParquetOptions{RowGroupRows: 1 << 18})
}

// BenchmarkWriteSpikesBatch1024 is BenchmarkWriteSpikes with batches of
// 1,024 rows, measuring the cost per Write call.
func BenchmarkWriteSpikesBatch1024(b *testing.B) { benchWriteSpikes(b, 1024, nil) }

func benchWriteSpikes(b *testing.B, batch int, opts *ParquetOptions) {
	const trials = 100
	src := spikeBatches(10)
	path := filepath.Join(b.TempDir(), "spikes.parquet")
	var rows SpikeRows
	runtime.GC()
	var peak uint64
	b.ResetTimer()
	for b.Loop() {
		w, err := CreateParquet(path, rows.Schema(), map[string]string{"seed": "1"}, opts)
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
	if hwm, ok := peakRSS(); ok {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MiB")
	}
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

// peakRSS returns the process's peak resident set size (VmHWM) on Linux.
func peakRSS() (uint64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
