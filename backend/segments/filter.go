package segments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"magpie/backend/apperr"
)

// Filter is one condition, exactly as Mautic's API and exports carry it.
type Filter struct {
	Glue       string          `json:"glue,omitempty"`
	Object     string          `json:"object,omitempty"` // lead | company | behaviors
	Field      string          `json:"field"`
	Type       string          `json:"type,omitempty"`
	Operator   string          `json:"operator"`
	Properties *Properties     `json:"properties,omitempty"`
	Legacy     json.RawMessage `json:"filter,omitempty"` // pre-properties value
	Display    string          `json:"display,omitempty"`
}

// Properties holds the filter value.
type Properties struct {
	Filter json.RawMessage `json:"filter,omitempty"`
}

// Node is a filter tree: a leaf (Filter) or a group whose children are combined with Op.
// A Mautic flat list is read as the group its glues describe (AND binds tighter than OR).
type Node struct {
	Op       string  `json:"op,omitempty"` // and | or | not (not: exactly one child)
	Children []Node  `json:"children,omitempty"`
	Filter   *Filter `json:"filter,omitempty"`
	Path     string  `json:"-"` // "3" or "2.1": where the leaf was in the input, for errors
}

// Values returns the filter value as a list of strings: arrays as they are, a string with
// "|" split for in/!in-style operators (split says whether to split).
func (f *Filter) Values(split bool) ([]string, error) {
	raw := f.rawValue()
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var arr []any
	if raw[0] == '[' {
		if err := json.Unmarshal(raw, &arr); err != nil {
			return nil, err
		}
	} else {
		var one any
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, err
		}
		if s, ok := one.(string); ok && split {
			for _, p := range strings.Split(s, "|") {
				arr = append(arr, p)
			}
		} else {
			arr = []any{one}
		}
	}
	out := make([]string, 0, len(arr))
	for _, v := range arr {
		s, err := scalarString(v)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// Value returns a single value ("" when none).
func (f *Filter) Value() (string, error) {
	raw := f.rawValue()
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	if a, ok := v.([]any); ok {
		if len(a) == 0 {
			return "", nil
		}
		v = a[0]
	}
	return scalarString(v)
}

func (f *Filter) rawValue() json.RawMessage {
	if f.Properties != nil && len(f.Properties.Filter) > 0 {
		return f.Properties.Filter
	}
	return f.Legacy
}

func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		if x {
			return "1", nil
		}
		return "0", nil
	}
	return "", fmt.Errorf("value must be text, a number or a list of them")
}

// Parse reads a filter definition: a Mautic flat list (JSON array) or a nested group
// ({"op":"and","children":[…]}); leaves are Mautic filter objects. Empty input or [] is
// "no filters" (a static segment): it returns a nil tree.
func Parse(data []byte) (*Node, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	switch data[0] {
	case '[':
		var list []json.RawMessage
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, invalid("", "", "filters are not valid JSON: %v", err)
		}
		if len(list) == 0 {
			return nil, nil
		}
		fs := make([]Filter, len(list))
		for i, raw := range list {
			if err := strictLeaf(raw, &fs[i]); err != nil {
				return nil, invalid(strconv.Itoa(i+1), "", "filter %d is not a filter object: %v", i+1, err)
			}
		}
		n := FromFlat(fs, "")
		return &n, nil
	case '{':
		var n Node
		if err := parseNode(data, &n, ""); err != nil {
			return nil, err
		}
		return &n, nil
	}
	return nil, invalid("", "", "filters must be a JSON list (Mautic) or a group object")
}

func strictLeaf(raw json.RawMessage, f *Filter) error {
	if err := json.Unmarshal(raw, f); err != nil {
		return err
	}
	if f.Field == "" {
		return fmt.Errorf("no field")
	}
	return nil
}

func parseNode(raw json.RawMessage, n *Node, path string) error {
	var probe struct {
		Op       string            `json:"op"`
		Children []json.RawMessage `json:"children"`
		Field    string            `json:"field"`
		Filter   json.RawMessage   `json:"filter"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return invalid(path, "", "filter %s is not valid JSON: %v", orTop(path), err)
	}
	if probe.Field != "" { // a leaf
		var f Filter
		if err := json.Unmarshal(raw, &f); err != nil {
			return invalid(path, "", "filter %s: %v", orTop(path), err)
		}
		*n = Node{Filter: &f, Path: path}
		return nil
	}
	op := strings.ToLower(probe.Op)
	if op != "and" && op != "or" && op != "not" {
		return invalid(path, "", "group %s: op must be and, or or not (got %q)", orTop(path), probe.Op)
	}
	if op == "not" && len(probe.Children) != 1 {
		return invalid(path, "", "group %s: not takes exactly one child", orTop(path))
	}
	n.Op, n.Path = op, path
	n.Children = make([]Node, len(probe.Children))
	for i, c := range probe.Children {
		p := strconv.Itoa(i + 1)
		if path != "" {
			p = path + "." + p
		}
		if err := parseNode(c, &n.Children[i], p); err != nil {
			return err
		}
	}
	return nil
}

func orTop(path string) string {
	if path == "" {
		return "(top)"
	}
	return path
}

// FromFlat builds Mautic's disjunctive normal form from a flat list: each filter with glue
// "or" starts a new AND group (the first filter's glue is ignored); the groups are OR-ed.
func FromFlat(fs []Filter, prefix string) Node {
	or := Node{Op: "or"}
	var cur *Node
	for i := range fs {
		f := fs[i]
		p := strconv.Itoa(i + 1)
		if prefix != "" {
			p = prefix + "." + p
		}
		if cur == nil || strings.EqualFold(strings.TrimSpace(f.Glue), "or") {
			or.Children = append(or.Children, Node{Op: "and"})
			cur = &or.Children[len(or.Children)-1]
		}
		cur.Children = append(cur.Children, Node{Filter: &f, Path: p})
	}
	return or
}

// Leaves returns the filters of the tree in input order.
func (n *Node) Leaves() []*Node {
	if n == nil {
		return nil
	}
	if n.Filter != nil {
		return []*Node{n}
	}
	var out []*Node
	for i := range n.Children {
		out = append(out, n.Children[i].Leaves()...)
	}
	return out
}

// FilterError is the error of one filter: Index is its place ("3", "2.1"), Field its alias.
func invalid(index, field, format string, a ...any) error {
	e := apperr.Invalidf("segments.errors.filter", map[string]any{"index": index, "field": field}, format, a...)
	return e
}

// leafError prefixes an error with the filter's index and field.
func leafError(n *Node, format string, a ...any) error {
	f := n.Filter
	msg := fmt.Sprintf(format, a...)
	return invalid(n.Path, f.Field, "filter %s (%s): %s", n.Path, f.Field, msg)
}
