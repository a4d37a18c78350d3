package pipeline

import (
	"context"
	"io"
	"sync/atomic"
	"testing"
)

// benchEdge measures items/s through a Writer → edge → Reader pair, as a
// stage pair sees it, with batches of size batch.
func benchEdge(b *testing.B, batch, capacity int) {
	ctx := context.Background()
	in := StreamInput[[]int]("in", "")
	e := &edge{ch: in.def().makeChan(capacity), def: in.def(), producers: 1}
	var sendWait, recvWait atomic.Int64 // as the two jobs' counters
	w := &Writer[[]int]{chans: []chan []int{e.ch.(chan []int)}, waited: &sendWait}
	r := &Reader[[]int]{ch: e.ch.(chan []int), e: e, name: "in", waited: &recvWait}
	items := make([]int, batch)
	n := b.N
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for sent := 0; sent < n; sent += batch {
			if err := w.Send(ctx, items); err != nil {
				panic(err)
			}
		}
		e.done(false)
	}()
	got := 0
	for {
		v, err := r.Recv(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		got += len(v)
	}
	b.ReportMetric(float64(got)/b.Elapsed().Seconds(), "items/s")
}

// benchPlain is the same traffic over a bare channel.
func benchPlain(b *testing.B, batch, capacity int) {
	ch := make(chan []int, capacity)
	items := make([]int, batch)
	n := b.N
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for sent := 0; sent < n; sent += batch {
			ch <- items
		}
		close(ch)
	}()
	got := 0
	for v := range ch {
		got += len(v)
	}
	b.ReportMetric(float64(got)/b.Elapsed().Seconds(), "items/s")
}

func BenchmarkEdgeTyped1(b *testing.B)      { benchEdge(b, 1, DefaultBuffer) }
func BenchmarkEdgePlain1(b *testing.B)      { benchPlain(b, 1, DefaultBuffer) }
func BenchmarkEdgeTyped1024(b *testing.B)   { benchEdge(b, 1024, DefaultBuffer) }
func BenchmarkEdgePlain1024(b *testing.B)   { benchPlain(b, 1024, DefaultBuffer) }
func BenchmarkEdgeTypedUnbuf1(b *testing.B) { benchEdge(b, 1, 0) }
func BenchmarkEdgePlainUnbuf1(b *testing.B) { benchPlain(b, 1, 0) }
