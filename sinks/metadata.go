package sinks

import (
	"fmt"
	"slices"
	"strings"
)

// keyValue is one entry of a file's metadata.
type keyValue struct{ key, value string }

// sortedMetadata checks meta and returns its entries sorted by key, so that
// equal inputs give byte-identical files. Keys must be non-empty and must
// not start with "ARROW:", which Arrow reserves for itself (pqarrow's
// "ARROW:schema" entry among others).
func sortedMetadata(name string, meta map[string]string) ([]keyValue, error) {
	kvs := make([]keyValue, 0, len(meta))
	for k, v := range meta {
		switch {
		case k == "":
			return nil, fmt.Errorf("sinks: create %s: metadata key is empty", name)
		case strings.HasPrefix(k, "ARROW:"):
			return nil, fmt.Errorf("sinks: create %s: metadata key %q is reserved by Arrow", name, k)
		}
		kvs = append(kvs, keyValue{k, v})
	}
	slices.SortFunc(kvs, func(a, b keyValue) int { return strings.Compare(a.key, b.key) })
	return kvs, nil
}
