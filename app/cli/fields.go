package cli

import (
	"fmt"
	"strings"

	"magpie/backend/fields"
)

func init() {
	register(command{name: "fields", summary: "list and add custom fields", run: runFields})
}

const fieldsUsage = `usage: magpie fields list [--object contact|company] [--json]
       magpie fields add --alias A --label L [--label-fr L] --type T [--options "a|b|c"] [--object contact|company]`

var runFields = subcommands(fieldsUsage, map[string]func(*Env, []string) error{
	"list": fieldsList, "add": fieldsAdd,
})

func fieldsList(e *Env, args []string) error {
	fs := flags(e, "fields list", "fields list [--object contact|company] [--json]")
	obj := fs.String("object", "contact", "contact or company")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *obj != "contact" && *obj != "company" {
		return usagef("--object must be contact or company")
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	list, err := c.Fields.List(e.Ctx(), fields.Object(*obj))
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(list)
	}
	for _, f := range list {
		kind := "custom"
		if f.Fixed {
			kind = "core"
		}
		opts := make([]string, 0, len(f.Options))
		for _, o := range f.Options {
			opts = append(opts, o.Value)
		}
		fmt.Fprintf(e.Out, "%-28s %-12s %-6s %-30s %s\n", f.Alias, f.Type, kind, f.Label, strings.Join(opts, "|"))
	}
	return nil
}

func fieldsAdd(e *Env, args []string) error {
	fs := flags(e, "fields add", `fields add --alias A --label L --type T [--options "a|b|c"]`)
	alias := fs.String("alias", "", "column name: a-z, 0-9, _ (default: from the label)")
	label := fs.String("label", "", "label shown to users (required)")
	labelFR := fs.String("label-fr", "", "the label in French (default: the label)")
	typ := fs.String("type", "text", "type: "+typeNames())
	options := fs.String("options", "", `choices of a select or multiselect, separated by | ("label=value" allowed)`)
	obj := fs.String("object", "contact", "contact or company")
	group := fs.String("group", "core", "group: core, social, personal, professional")
	required := fs.Bool("required", false, "the field must be filled")
	def := fs.String("default", "", "default value")
	asJSON := fs.Bool("json", false, "print the new field as JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*label) == "" {
		return usagef("--label is required")
	}
	if !fields.Type(*typ).Valid() {
		return usagef("--type %q is not a field type (%s)", *typ, typeNames())
	}
	in := fields.Input{Object: fields.Object(*obj), Alias: *alias, Label: *label, LabelFR: *labelFR, Type: fields.Type(*typ), Group: *group,
		Required: *required, Default: *def, Listable: true}
	if *options != "" {
		for _, o := range strings.Split(*options, "|") {
			l, v, ok := strings.Cut(o, "=")
			if !ok {
				v = l
			}
			in.Options = append(in.Options, fields.Option{Label: strings.TrimSpace(l), Value: strings.TrimSpace(v)})
		}
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	f, err := c.Fields.Add(e.Ctx(), in)
	if err != nil {
		return err
	}
	if *asJSON {
		return e.JSON(f)
	}
	fmt.Fprintf(e.Out, "added %s field %s (%s)\n", f.Object, f.Alias, f.Type)
	return nil
}

func typeNames() string {
	s := make([]string, len(fields.Types))
	for i, t := range fields.Types {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}
