package kinds

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/sinks"
)

// tableWriter is a file writer of table batches: sinks.ParquetWriter or
// sinks.ArrowStream.
type tableWriter interface {
	Write(sinks.Table) error
	Close() error
	Abort() error
	Rows() int64
}

// writeTables writes every batch read from in to one file at path (relative
// to the pipeline directory), made by create for the first batch's table with
// the job's provenance as metadata, and that of the first batch when it is
// sinks.Annotated. The file is committed by Close; on any
// error it is aborted, leaving nothing behind. Headline: rows.
func writeTables(ctx context.Context, job *pipeline.Job, in *pipeline.Reader[sinks.Table], path string,
	create func(path string, t sinks.Table, meta map[string]string) (tableWriter, error)) error {
	var w tableWriter
	defer func() {
		if w != nil {
			w.Abort() // a no-op after Close
		}
	}()
	for {
		t, err := in.Recv(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if w == nil {
			full, err := items.OutputPath(job, path)
			if err != nil {
				return err
			}
			extra := map[string]string{"table": t.Name()}
			if a, ok := t.(sinks.Annotated); ok {
				for k, v := range a.Metadata() {
					extra[k] = v
				}
			}
			w, err = create(full, t, items.FileMetadata(job, extra))
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		if err := w.Write(t); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if w == nil {
		return fmt.Errorf("%s: the input stream sent no batch, so the table (and its columns) is unknown", path)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	job.Headline("rows", w.Rows())
	return nil
}
