package sinks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// arrowSchemaKey is the key under which pqarrow stores the serialized Arrow
// schema in a Parquet file's key/value metadata.
const arrowSchemaKey = "ARROW:schema"

// withMetadata returns schema with its own metadata and meta (which wins on
// a clash) as metadata, keys sorted so that equal inputs give byte-identical
// files. Keys must be non-empty and must not start with "ARROW:", which
// Arrow reserves for itself.
func withMetadata(path string, schema *arrow.Schema, meta map[string]string) (*arrow.Schema, error) {
	if schema == nil {
		return nil, fmt.Errorf("sinks: create %s: nil schema", path)
	}
	if schema.NumFields() == 0 {
		return nil, fmt.Errorf("sinks: create %s: schema has no columns", path)
	}
	all := make(map[string]string, schema.Metadata().Len()+len(meta))
	for i, k := range schema.Metadata().Keys() {
		all[k] = schema.Metadata().Values()[i]
	}
	for k, v := range meta {
		all[k] = v
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		switch {
		case k == "":
			return nil, fmt.Errorf("sinks: create %s: metadata key is empty", path)
		case strings.HasPrefix(k, "ARROW:"):
			return nil, fmt.Errorf("sinks: create %s: metadata key %q is reserved by Arrow", path, k)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = all[k]
	}
	md := arrow.NewMetadata(keys, vals)
	return arrow.NewSchema(schema.Fields(), &md), nil
}
