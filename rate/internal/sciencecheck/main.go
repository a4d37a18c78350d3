// Command sciencecheck trains rate networks on the method's tasks over
// several seeds and reports how many meet the stop rule and after how many
// trials (issue 3, item 6). It is not part of the test run: a go-nogo seed
// takes tens of seconds, an xor or mante seed several minutes.
//
// Usage:
//
//	go run ./rate/internal/sciencecheck -task go-nogo -seeds 1-10
//	go run ./rate/internal/sciencecheck -task xor -seeds 1-3 -max 10000
//
// For each seed it initialises the default network (N = 200, SPEC §1) from
// rng.New(seed), trains it on tasks.NewStream(task, seed) with the
// reference's settings and prints one line: the status, the number of
// trials, the last evaluation, the first evaluation that met the loss and
// accuracy criteria (ignoring go-nogo's tr > 1500), and the wall time.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/rng"
	"github.com/spikernn/spikernn/tasks"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("sciencecheck", flag.ContinueOnError)
	taskName := fs.String("task", "go-nogo", "task: go-nogo, xor or mante")
	seedSpec := fs.String("seeds", "1-10", "seeds, as a range a-b or a comma list")
	maxTrials := fs.Int("max", rate.DefaultMaxTrials, "maximum number of training trials")
	n := fs.Int("n", 200, "number of units")
	verbose := fs.Bool("v", false, "print every evaluation")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	seeds, err := parseSeeds(*seedSpec)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sciencecheck:", err)
		return 2
	}
	task, err := tasks.New(*taskName, tasks.Settings{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sciencecheck:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	fmt.Printf("task %s, N %d, max %d trials, seeds %v\n", task.Name(), *n, *maxTrials, seeds)
	converged := 0
	var trials []int
	for _, seed := range seeds {
		cfg := rate.ConfigFor(task)
		cfg.N = *n
		m, err := rate.New(cfg, rng.New(seed))
		if err != nil {
			fmt.Fprintln(os.Stderr, "sciencecheck:", err)
			return 1
		}
		s := rate.DefaultSettings(task)
		s.MaxTrials = *maxTrials
		firstMet := -1
		s.Progress = func(p rate.Progress) {
			if !p.Evaluated {
				return
			}
			if firstMet < 0 && p.EvalLoss < s.LossThreshold && p.EvalAccuracy > s.AccThreshold {
				firstMet = p.Trial
			}
			if *verbose {
				fmt.Printf("  seed %d tr %5d  loss %7.3f  eval acc %.2f loss %7.3f  %v\n",
					seed, p.Trial, p.Loss, p.EvalAccuracy, p.EvalLoss, p.Elapsed.Round(time.Second))
			}
		}
		res, err := rate.Train(ctx, m, task, tasks.NewStream(task, seed), s)
		if err != nil {
			fmt.Fprintf(os.Stderr, "sciencecheck: seed %d: %v\n", seed, err)
			return 1
		}
		first := "never"
		if firstMet >= 0 {
			first = fmt.Sprintf("after trial %d", firstMet+1)
		}
		fmt.Printf("seed %2d: %-13s after %5d trials; last eval acc %.2f loss %.3f; criteria first met %s; %v\n",
			seed, res.Status, res.Trials, res.EvalAccuracy, res.EvalLoss, first, res.Duration.Round(time.Second))
		if res.Converged {
			converged++
			trials = append(trials, res.Trials)
		}
	}
	fmt.Printf("%d of %d seeds met the stop rule; trials: %v\n", converged, len(seeds), trials)
	return 0
}

// parseSeeds reads "a-b" or "a,b,c".
func parseSeeds(s string) ([]uint64, error) {
	if a, b, ok := strings.Cut(s, "-"); ok {
		lo, err1 := strconv.ParseUint(a, 10, 64)
		hi, err2 := strconv.ParseUint(b, 10, 64)
		if err1 != nil || err2 != nil || lo > hi {
			return nil, fmt.Errorf("bad seed range %q", s)
		}
		var out []uint64
		for x := lo; x <= hi; x++ {
			out = append(out, x)
		}
		return out, nil
	}
	var out []uint64
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad seed %q", f)
		}
		out = append(out, x)
	}
	return out, nil
}
