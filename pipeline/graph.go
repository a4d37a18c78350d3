package pipeline

import (
	"fmt"
	"io"
	"strings"
)

// WriteMermaid writes the graph as a Mermaid flowchart: one node per stage
// (name and kind), one edge per connection labelled with the ports and the
// item type; stream edges are solid, value edges dotted.
func (g *Graph) WriteMermaid(w io.Writer) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, n := range g.Nodes {
		fmt.Fprintf(&b, "  %s[\"%s<br/><i>%s</i>\"]\n", mermaidID(n.Name), n.Name, n.Kind)
	}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			for _, src := range in.From {
				arrow := "-->"
				if in.Mode == Value {
					arrow = "-.->"
				}
				label := fmt.Sprintf("%s → %s: %s", src.Port, in.Port, in.Type)
				fmt.Fprintf(&b, "  %s %s|\"%s\"| %s\n", mermaidID(src.Stage), arrow, mermaidEscape(label), mermaidID(n.Name))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mermaidID(name string) string { return "s_" + strings.ReplaceAll(name, "-", "_") }

func mermaidEscape(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "*", "#42;", "[", "#91;", "]", "#93;").Replace(s)
}

// WriteDOT writes the graph in Graphviz DOT: one box per stage, one edge
// per connection labelled with the ports and item type; value edges are
// dashed.
func (g *Graph) WriteDOT(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %q {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n", g.Pipeline)
	for _, n := range g.Nodes {
		fmt.Fprintf(&b, "  %q [label=%q];\n", n.Name, n.Name+"\n"+n.Kind)
	}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			for _, src := range in.From {
				style := ""
				if in.Mode == Value {
					style = ", style=dashed"
				}
				fmt.Fprintf(&b, "  %q -> %q [label=%q%s];\n", src.Stage, n.Name, fmt.Sprintf("%s → %s\n%s", src.Port, in.Port, in.Type), style)
			}
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
