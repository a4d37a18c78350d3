package sinks_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/spikernn/spikernn/sinks"
)

// writeSpikes writes two trials of spikes to path, one batch per trial,
// reusing one SpikeRows.
func writeSpikes(path string, meta map[string]string) error {
	var rows sinks.SpikeRows
	w, err := sinks.CreateParquet(path, rows.Schema(), meta, nil)
	if err != nil {
		return err
	}
	defer w.Abort() // removes the temporary file unless Close succeeded
	const dt = 5e-5 // s
	for trial := range int32(2) {
		rows.Reset()
		for step := int32(0); step < 20000; step += 1000 {
			rows.Append(trial, step%200, step, float32(step)*dt)
		}
		if err := w.Write(&rows); err != nil {
			return err
		}
	}
	return w.Close()
}

func ExampleCreateParquet() {
	dir, err := os.MkdirTemp("", "sinks-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "spikes.parquet")

	meta := map[string]string{"task": "go-nogo", "seed": "1", "lambda": "45"}
	if err := writeSpikes(path, meta); err != nil {
		log.Fatal(err)
	}

	// What a reader sees (DuckDB: SELECT * FROM parquet_kv_metadata(path)).
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		log.Fatal(err)
	}
	defer pf.Close()
	fmt.Println("rows:", pf.NumRows())
	var cols []string
	for i := range pf.MetaData().Schema.NumColumns() {
		cols = append(cols, pf.MetaData().Schema.Column(i).Name())
	}
	fmt.Println("columns:", strings.Join(cols, ", "))
	for _, kv := range pf.MetaData().KeyValueMetadata() {
		fmt.Printf("%s=%s\n", kv.Key, *kv.Value)
	}
	// Output:
	// rows: 40
	// columns: trial, neuron, step, t
	// lambda=45
	// seed=1
	// task=go-nogo
}

func ExampleNewArrowStream() {
	var stream bytes.Buffer // a pipe or a socket for a live consumer
	var rows sinks.RateRows
	w, err := sinks.NewArrowStream(&stream, rows.Schema(), map[string]string{"task": "go-nogo"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	for trial := range int32(3) {
		rows.Reset()
		for bin := range int32(200) {
			rows.Append(trial, 7, bin, float32(bin)*0.005, 0)
		}
		if err := w.Write(&rows); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	r, err := ipc.NewReader(&stream)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Release()
	task, _ := r.Schema().Metadata().GetValue("task")
	fmt.Println("task:", task)
	for r.Next() {
		fmt.Println("batch of", r.RecordBatch().NumRows(), "rows")
	}
	if err := r.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// task: go-nogo
	// batch of 200 rows
	// batch of 200 rows
	// batch of 200 rows
}
