package pipeline

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteDoc writes the documentation of a kind, generated from its spec:
// summary, description, group, ports with modes and item types, settings
// with types, defaults, limits and docs, and whether value outputs are
// cached.
func (e *Environment) WriteDoc(w io.Writer, s *Spec) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s\n", s.Name, s.Summary)
	if s.Description != "" {
		for _, line := range strings.Split(strings.TrimSpace(s.Description), "\n") {
			fmt.Fprintf(&b, "    %s\n", line)
		}
	}
	fmt.Fprintf(&b, "  group: %s\n", s.Group)
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, group := range []struct {
		title string
		ports []Port
	}{{"inputs", s.Inputs}, {"outputs", s.Outputs}} {
		fmt.Fprintf(tw, "  %s:\n", group.title)
		if len(group.ports) == 0 {
			fmt.Fprintf(tw, "    (none)\n")
		}
		for _, p := range group.ports {
			var notes []string
			if p.Input() && !p.Required() {
				notes = append(notes, "optional")
			}
			if !p.Input() && p.Mode() == Value && e.Codec(p.Type()) == nil {
				notes = append(notes, "not cached: no codec")
			}
			note := ""
			if len(notes) > 0 {
				note = " (" + strings.Join(notes, ", ") + ")"
			}
			fmt.Fprintf(tw, "    %s\t%s\t%v\t%s%s\n", p.Name(), p.Mode(), p.Type(), p.Doc(), note)
		}
	}
	fmt.Fprintf(tw, "  settings:\n")
	if len(s.Settings) == 0 {
		fmt.Fprintf(tw, "    (none)\n")
	}
	writeSettings(tw, s.Settings, "    ")
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeSettings(w io.Writer, fs []Setting, indent string) {
	for i := range fs {
		f := &fs[i]
		var attrs []string
		switch {
		case f.Required:
			attrs = append(attrs, "required")
		case f.Default != nil:
			attrs = append(attrs, "default "+showValue(f.Default))
		default:
			attrs = append(attrs, "optional")
		}
		if len(f.OneOf) > 0 {
			alts := make([]string, len(f.OneOf))
			for i, a := range f.OneOf {
				alts[i] = showValue(a)
			}
			attrs = append(attrs, "one of "+strings.Join(alts, "|"))
		}
		if f.Range != nil {
			attrs = append(attrs, f.Range.String())
		}
		if f.Elem != nil && f.Elem.Range != nil {
			attrs = append(attrs, "each "+f.Elem.Range.String())
		}
		if f.Example != nil {
			attrs = append(attrs, "e.g. "+showValue(f.Example))
		}
		fmt.Fprintf(w, "%s%s\t%s\t%s\t%s\n", indent, f.Name, f.TypeString(), strings.Join(attrs, ", "), f.Doc)
		if f.Type == Object {
			writeSettings(w, f.Fields, indent+"  ")
		}
	}
}
