package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/spikernn/spikernn/sweep"
)

// sweepPlainInterval is how often a plain progress line says which points
// are running (a point may take many minutes; the log must show it lives).
// A variable for the tests.
var sweepPlainInterval = 30 * time.Second

// sweepMonitor implements sweep.Monitor: one bar of points on a terminal,
// with the per-point lines above it; plain lines otherwise, one per point
// that ends and one every interval naming the points running.
type sweepMonitor struct {
	w        io.Writer
	mode     string
	interval time.Duration
	start    time.Time

	mu        sync.Mutex
	total     int
	finished  int
	running   map[string]time.Time
	bar       *mpb.Bar
	bars      *mpb.Progress
	refresh   chan any // drives the bar's redraws
	stop      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
}

func newSweepMonitor(w io.Writer, mode string) *sweepMonitor {
	if mode == progressAuto {
		mode = progressPlain
		if isTerminal(w) {
			mode = progressBar
		}
	}
	m := &sweepMonitor{w: &syncWriter{w: w}, mode: mode, interval: sweepPlainInterval,
		start: time.Now(), running: map[string]time.Time{}, stop: make(chan struct{})}
	if mode == progressBar {
		// Redraws are driven by redraw (and a last one by close), so that
		// the lines written above the bar are always flushed.
		m.refresh = make(chan any)
		m.bars = mpb.New(mpb.WithOutput(w), mpb.WithWidth(24), mpb.WithManualRefresh(m.refresh))
		m.wg.Add(1)
		go m.redraw(150 * time.Millisecond)
	}
	return m
}

// lines is where the per-point lines go: above the bar, or straight out;
// nil with no progress display.
func (m *sweepMonitor) lines() io.Writer {
	switch {
	case m.mode == progressNone:
		return nil
	case m.bars != nil:
		return m.bars
	}
	return m.w
}

// Planned implements sweep.Monitor.
func (m *sweepMonitor) Planned(toRun int) {
	m.mu.Lock()
	m.total = toRun
	m.mu.Unlock()
	switch {
	case toRun == 0:
	case m.mode == progressBar:
		bar := m.bars.AddBar(int64(toRun),
			mpb.PrependDecorators(
				decor.Name("points", decor.WC{W: 8, C: decor.DindentRight}),
				decor.CountersNoUnit("%d/%d", decor.WC{W: 10}),
			),
			mpb.AppendDecorators(
				decor.Percentage(decor.WC{W: 5}),
				decor.Any(func(decor.Statistics) string { return " " + m.statusText() }),
			),
		)
		m.mu.Lock()
		m.bar = bar
		m.mu.Unlock()
	case m.mode == progressPlain:
		m.wg.Add(1)
		go m.loop()
	}
}

// PointStarted implements sweep.Monitor.
func (m *sweepMonitor) PointStarted(pr *sweep.PointRun) {
	m.mu.Lock()
	m.running[pr.Name] = time.Now()
	m.mu.Unlock()
}

// PointFinished implements sweep.Monitor.
func (m *sweepMonitor) PointFinished(r *sweep.PointResult) {
	m.mu.Lock()
	delete(m.running, r.Point.Name)
	m.finished++
	bar := m.bar
	m.mu.Unlock()
	if bar != nil {
		bar.Increment()
	}
}

// statusText says how many points run and the time left.
func (m *sweepMonitor) statusText() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	elapsed := time.Since(m.start)
	s := fmt.Sprintf("%d running, %s", len(m.running), elapsed.Round(time.Second))
	if m.finished > 0 && m.finished < m.total {
		eta := elapsed / time.Duration(m.finished) * time.Duration(m.total-m.finished)
		s += ", ETA " + eta.Round(time.Second).String()
	}
	return s
}

// loop prints a plain line every interval while points run.
func (m *sweepMonitor) loop() {
	defer m.wg.Done()
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.mu.Lock()
			names := make([]string, 0, len(m.running))
			for n, since := range m.running {
				names = append(names, fmt.Sprintf("%s (%s)", n, time.Since(since).Round(time.Second)))
			}
			done, total := m.finished, m.total
			m.mu.Unlock()
			if len(names) == 0 {
				continue
			}
			sort.Strings(names)
			fmt.Fprintf(m.w, "[sweep] %d/%d points finished, %s; running: %s\n", done, total, m.statusText(), strings.Join(names, ", "))
		}
	}
}

// redraw refreshes the bar every tick until close.
func (m *sweepMonitor) redraw(tick time.Duration) {
	defer m.wg.Done()
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case now := <-t.C:
			select {
			case m.refresh <- now:
			case <-m.stop:
				return
			}
		}
	}
}

// close stops the display and waits for the bar's last drawing.
func (m *sweepMonitor) close() {
	m.closeOnce.Do(func() {
		close(m.stop)
		m.wg.Wait()
		if m.bars != nil {
			m.mu.Lock()
			if m.bar != nil && !m.bar.Completed() {
				m.bar.Abort(false)
			}
			m.mu.Unlock()
			select { // flush the last lines
			case m.refresh <- time.Now():
			case <-time.After(time.Second): // the container gave up (render error)
			}
			m.bars.Wait()
		}
	})
}
