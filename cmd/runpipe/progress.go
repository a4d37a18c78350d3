package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/spikernn/spikernn/pipeline"
)

// Progress display modes.
const (
	progressAuto  = "auto"
	progressBar   = "bar"
	progressPlain = "plain"
	progressNone  = "none"
)

// plainInterval is how often plain progress lines are printed for a stage
// that reports progress (besides every 10% of its total).
const plainInterval = 5 * time.Second

// isTerminal reports whether w is a terminal wide enough for bars (a
// pseudo-terminal may report no size at all).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false
	}
	width, _, err := term.GetSize(int(f.Fd()))
	return err == nil && width >= 40
}

// monitor implements pipeline.Monitor: progress bars on a terminal, plain
// periodic lines otherwise. Stages report into atomics; a ticker renders.
type monitor struct {
	w        io.Writer
	mode     string
	interval time.Duration
	nameW    int

	mu      sync.Mutex
	stages  []*stageProgress
	bars    *mpb.Progress
	refresh chan any // drives the bars' redraws
	stop    chan struct{}
	wg      sync.WaitGroup
}

func newMonitor(w io.Writer, mode string, names []string) *monitor {
	if mode == progressAuto {
		mode = progressPlain
		if isTerminal(w) {
			mode = progressBar
		}
	}
	m := &monitor{w: &syncWriter{w: w}, mode: mode, interval: plainInterval, stop: make(chan struct{})}
	for _, n := range names {
		m.nameW = max(m.nameW, len(n)+2)
	}
	switch mode {
	case progressBar:
		// Redraws are driven by loop (and a last one by close), so lines
		// written above the bars are always flushed.
		m.refresh = make(chan any)
		m.bars = mpb.New(mpb.WithOutput(w), mpb.WithWidth(40), mpb.WithManualRefresh(m.refresh))
		m.wg.Add(1)
		go m.loop(150 * time.Millisecond)
	case progressPlain:
		m.wg.Add(1)
		go m.loop(time.Second)
	}
	return m
}

// logWriter is where log lines go: above the bars, or straight out.
func (m *monitor) logWriter() io.Writer {
	if m.bars != nil {
		return m.bars
	}
	return m.w
}

func (m *monitor) printf(format string, args ...any) {
	if m.mode == progressNone {
		return
	}
	fmt.Fprintf(m.logWriter(), format, args...)
}

// StageStarted implements pipeline.Monitor.
func (m *monitor) StageStarted(stage, kind string) pipeline.Progress {
	s := &stageProgress{m: m, name: stage, kind: kind, start: time.Now()}
	s.decile.Store(0)
	m.mu.Lock()
	m.stages = append(m.stages, s)
	m.mu.Unlock()
	m.printf("[%s] started (%s)\n", stage, kind)
	return s
}

// StageFinished implements pipeline.Monitor.
func (m *monitor) StageFinished(r *pipeline.StageResult) {
	m.mu.Lock()
	var s *stageProgress
	for _, x := range m.stages {
		if x.name == r.Stage {
			s = x
		}
	}
	m.mu.Unlock()
	if s == nil {
		return
	}
	s.finished.Store(true)
	m.mu.Lock()
	bar := s.bar
	m.mu.Unlock()
	if bar != nil {
		if r.Err == nil {
			bar.SetTotal(s.total.Load(), false)
			bar.SetCurrent(s.cur.Load())
			bar.SetTotal(-1, true)
		} else {
			bar.Abort(false)
		}
	}
	el := r.Elapsed.Round(time.Millisecond)
	switch {
	case r.Err == nil:
		m.printf("[%s] done in %v (busy %v)%s\n", r.Stage, el, r.Busy.Round(time.Millisecond), headlineText(r.Headline(), " — "))
	case errors.Is(r.Err, context.Canceled):
		m.printf("[%s] cancelled after %v\n", r.Stage, el)
	default:
		m.printf("[%s] failed after %v: %v\n", r.Stage, el, r.Err)
	}
}

// loop renders progress every tick until close.
func (m *monitor) loop(tick time.Duration) {
	defer m.wg.Done()
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case now := <-t.C:
			m.render(now)
			if m.refresh != nil {
				select {
				case m.refresh <- now:
				case <-m.stop:
					return
				}
			}
		}
	}
}

func (m *monitor) render(now time.Time) {
	m.mu.Lock()
	stages := append([]*stageProgress(nil), m.stages...)
	m.mu.Unlock()
	for _, s := range stages {
		if s.finished.Load() {
			continue
		}
		switch m.mode {
		case progressBar:
			m.syncBar(s)
		case progressPlain:
			if now.Sub(s.lastLine()) >= m.interval && s.reported() {
				s.printLine()
			}
		}
	}
}

// syncBar creates the stage's bar once it has a total and copies the
// counters into it.
func (m *monitor) syncBar(s *stageProgress) {
	total, cur := s.total.Load(), s.cur.Load()
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.bar == nil {
		if total <= 0 {
			return
		}
		s.bar = m.bars.AddBar(total,
			mpb.PrependDecorators(
				decor.Name(s.name, decor.WC{W: m.nameW, C: decor.DindentRight}),
				decor.CountersNoUnit("%d/%d", decor.WC{W: 12}),
			),
			mpb.AppendDecorators(
				decor.Percentage(decor.WC{W: 5}),
				decor.Any(func(decor.Statistics) string {
					return fmt.Sprintf(" %6.1fs %s%s", time.Since(s.start).Seconds(), s.unitText(), s.statusText())
				}),
			),
		)
	}
	s.bar.SetTotal(total, false)
	s.bar.SetCurrent(cur)
}

// close stops rendering and waits for the bars to finish drawing.
func (m *monitor) close() {
	close(m.stop)
	m.wg.Wait()
	if m.bars != nil {
		m.mu.Lock()
		for _, s := range m.stages {
			if s.bar != nil && !s.bar.Completed() {
				s.bar.Abort(false)
			}
		}
		m.mu.Unlock()
		select { // flush the last lines
		case m.refresh <- time.Now():
		case <-time.After(time.Second): // the container gave up (render error)
		}
		m.bars.Wait()
	}
}

// syncWriter serializes writes, so that lines from concurrent stages and
// the logger do not interleave.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// stageProgress is a running stage's pipeline.Progress.
type stageProgress struct {
	m          *monitor
	name, kind string
	start      time.Time
	total, cur atomic.Int64
	unit       atomic.Pointer[string]
	status     atomic.Pointer[string]
	decile     atomic.Int64
	last       atomic.Int64 // unix nanoseconds of the last plain line
	finished   atomic.Bool
	bar        *mpb.Bar // guarded by m.mu
}

func (s *stageProgress) Total(n int64, unit string) {
	s.unit.Store(&unit)
	s.total.Store(n)
}

func (s *stageProgress) Add(k int64) { s.crossed(s.cur.Add(k)) }

func (s *stageProgress) Set(i int64) {
	s.cur.Store(i)
	s.crossed(i)
}

func (s *stageProgress) Status(text string) { s.status.Store(&text) }

// crossed prints a plain line when the count passes a tenth of the total.
func (s *stageProgress) crossed(cur int64) {
	if s.m.mode != progressPlain {
		return
	}
	total := s.total.Load()
	if total <= 0 {
		return
	}
	d := cur * 10 / total
	old := s.decile.Load()
	if d > old && s.decile.CompareAndSwap(old, d) {
		s.printLine()
	}
}

func (s *stageProgress) reported() bool {
	return s.total.Load() > 0 || s.cur.Load() > 0 || s.status.Load() != nil
}

func (s *stageProgress) lastLine() time.Time {
	if l := s.last.Load(); l != 0 {
		return time.Unix(0, l)
	}
	return s.start
}

func (s *stageProgress) unitText() string {
	if u := s.unit.Load(); u != nil {
		return *u
	}
	return ""
}

func (s *stageProgress) statusText() string {
	if st := s.status.Load(); st != nil && *st != "" {
		return " " + *st
	}
	return ""
}

// printLine prints "[lambda] 480/1200 trials (40%) 12.3s status".
func (s *stageProgress) printLine() {
	s.last.Store(time.Now().UnixNano())
	total, cur := s.total.Load(), s.cur.Load()
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] ", s.name)
	if total > 0 {
		fmt.Fprintf(&b, "%d/%d", cur, total)
	} else {
		fmt.Fprintf(&b, "%d", cur)
	}
	if u := s.unitText(); u != "" {
		b.WriteString(" " + u)
	}
	if total > 0 {
		fmt.Fprintf(&b, " (%d%%)", cur*100/total)
	}
	fmt.Fprintf(&b, " %.1fs%s\n", time.Since(s.start).Seconds(), s.statusText())
	s.m.printf("%s", b.String())
}
