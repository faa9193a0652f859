package forms

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"

	"magpie/backend/fields"
)

// RenderOptions say how to render a form.
type RenderOptions struct {
	Action  string              // the URL the form posts to (…/form/submit)
	Token   string              // the signed render time (anti-spam), "" for the copyable static HTML
	Return  string              // mauticform[return]
	Known   map[string]string   // the known contact's values (prefill, progressive profiling)
	Values  map[string][]string // values posted back after a failed validation
	Issues  map[string]Issue    // per-field errors to show
	Message string              // a message shown above the fields
}

type renderField struct {
	Field
	ID       string
	Name     string
	Value    string
	Values   map[string]bool
	Error    string
	Hidden   bool
	Options  []Option
	ShowIf   string
	ShowVals string
	Safe     template.HTML
}

type renderPage struct {
	N      int
	Fields []renderField
}

// Render returns the form's HTML (escaped: submitted or contact values can never inject
// markup). Fields hidden by progressive profiling are left out; conditional fields carry
// data-show-if attributes the form script acts on (without script they are all shown and the
// server ignores values whose condition does not hold).
func (f *Form) Render(o RenderOptions) template.HTML {
	known := o.Known
	if known == nil {
		known = map[string]string{}
	}
	pages := []renderPage{{N: 1}}
	multipart := false
	for _, fd := range f.Fields {
		if fd.Type == PageBreak {
			pages = append(pages, renderPage{N: len(pages) + 1})
			continue
		}
		if fd.HideIfKnown && fd.Contact() != "" && strings.TrimSpace(known[fd.Contact()]) != "" {
			continue
		}
		rf := renderField{Field: fd, ID: "mf_" + f.ID[max(0, len(f.ID)-8):] + "_" + fd.Alias, Name: "mauticform[" + fd.Alias + "]",
			Values: map[string]bool{}, Options: fd.Options}
		if fd.Type == Checkbox {
			rf.Name += "[]"
		}
		if fd.Type == File {
			multipart = true
		}
		if fd.Type == Country {
			for _, c := range fields.Countries() {
				rf.Options = append(rf.Options, Option{Value: c.Name, Label: c.Name})
			}
		}
		vals, posted := o.Values[fd.Alias]
		if !posted {
			v := fd.Default
			if fd.Prefill && fd.Contact() != "" && known[fd.Contact()] != "" {
				v = known[fd.Contact()]
			}
			if v != "" {
				vals = strings.Split(v, "|")
			}
		}
		if len(vals) > 0 {
			rf.Value = vals[0]
		}
		for _, v := range vals {
			rf.Values[v] = true
		}
		if is, ok := o.Issues[fd.Alias]; ok {
			rf.Error = is.Msg
		}
		if c := fd.ShowIf; c != nil {
			rf.ShowIf = c.Field
			rf.ShowVals = strings.Join(c.Values, "|")
			rf.Hidden = !Visible(fd, known, o.Values) && o.Values != nil
		}
		if fd.Type == FreeHTML {
			rf.Safe = template.HTML(Sanitize(fd.Text))
		}
		pages[len(pages)-1].Fields = append(pages[len(pages)-1].Fields, rf)
	}
	var b bytes.Buffer
	err := formTmpl.Execute(&b, map[string]any{"F": f, "O": o, "Pages": pages, "Multi": multipart, "Paged": len(pages) > 1})
	if err != nil {
		return template.HTML("<p>form unavailable</p>")
	}
	return template.HTML(b.String())
}

var (
	pairedRe  = buildPaired()
	strayRe   = regexp.MustCompile(`(?is)<\s*/?\s*(script|style|iframe|object|embed|link|meta|base|form|svg|math)\b[^>]*>`)
	onAttrRe  = regexp.MustCompile(`(?i)\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)
	jsURLRe   = regexp.MustCompile(`(?i)(href|src|action|formaction)\s*=\s*("\s*javascript:[^"]*"|'\s*javascript:[^']*'|javascript:[^\s>]+)`)
	styleAttr = regexp.MustCompile(`(?i)\s+style\s*=\s*("[^"]*expression[^"]*"|'[^']*expression[^']*')`)
)

func buildPaired() []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, t := range []string{"script", "style", "iframe", "object", "svg", "math"} {
		out = append(out, regexp.MustCompile(`(?is)<\s*`+t+`\b.*?<\s*/\s*`+t+`\s*>`))
	}
	return out
}

// Sanitize strips what could run script from the builder's free HTML: script, style, iframe,
// object, embed, link, meta, base and nested form elements, on* handlers and javascript:
// URLs. The tracker's Content-Security-Policy forbids inline script on its own pages anyway.
func Sanitize(s string) string {
	for i := 0; i < 3; i++ {
		for _, re := range pairedRe {
			s = re.ReplaceAllString(s, "")
		}
		s = strayRe.ReplaceAllString(s, "")
	}
	s = onAttrRe.ReplaceAllString(s, "")
	s = jsURLRe.ReplaceAllString(s, `$1="#"`)
	return styleAttr.ReplaceAllString(s, "")
}

var formTmpl = template.Must(template.New("form").Parse(`<div class="mf-wrapper" id="mauticform_wrapper_{{.F.ID}}">
<form class="mf-form" method="post" action="{{.O.Action}}" id="mauticform_{{.F.ID}}" data-magpie-form="{{.F.ID}}"{{if .Multi}} enctype="multipart/form-data"{{end}} aria-label="{{.F.Name}}">
<div class="mf-message" role="status" aria-live="polite">{{.O.Message}}</div>
<input type="hidden" name="mauticform[formId]" value="{{.F.ID}}">
{{if .O.Token}}<input type="hidden" name="mauticform[ts]" value="{{.O.Token}}">{{end}}
{{if .O.Return}}<input type="hidden" name="mauticform[return]" value="{{.O.Return}}">{{end}}
{{range .Pages}}<fieldset class="mf-page" data-page="{{.N}}">
{{range .Fields}}{{template "field" .}}{{end}}</fieldset>
{{end}}<div class="mf-row mf-buttons">{{if .Paged}}<button type="button" class="mf-prev" hidden>Back</button> <button type="button" class="mf-next" hidden>Next</button> {{end}}<button type="submit" class="mf-submit">{{.F.SubmitLabel}}</button></div>
</form></div>
{{define "field"}}{{if eq .Type "captcha"}}<div class="mf-hp" aria-hidden="true" style="position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden"><label for="{{.ID}}">{{.Label}}</label><input id="{{.ID}}" type="text" name="{{.Name}}" value="" tabindex="-1" autocomplete="off"></div>
{{else if eq .Type "freetext"}}<div class="mf-row mf-text"{{template "cond" .}}>{{if .Label}}<h3>{{.Label}}</h3>{{end}}<p>{{.Text}}</p></div>
{{else if eq .Type "freehtml"}}<div class="mf-row mf-html"{{template "cond" .}}>{{.Safe}}</div>
{{else if eq .Type "hidden"}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{else}}<div class="mf-row mf-type-{{.Type}}{{if .Error}} mf-has-error{{end}}" data-alias="{{.Alias}}"{{if .Required}} data-required="1"{{end}}{{template "cond" .}}>
{{if or (eq .Type "radiogrp") (eq .Type "checkboxgrp")}}<fieldset class="mf-group"><legend>{{.Label}}{{if .Required}} <span class="mf-req" aria-hidden="true">*</span>{{end}}</legend>
{{$f := .}}{{range $i, $o := .Options}}<label class="mf-choice"><input type="{{if eq $f.Type "radiogrp"}}radio{{else}}checkbox{{end}}" name="{{$f.Name}}" value="{{$o.Value}}"{{if index $f.Values $o.Value}} checked{{end}}{{if and $f.Required (eq $f.Type "radiogrp")}} required{{end}}> {{$o.Label}}</label>
{{end}}</fieldset>
{{else}}<label for="{{.ID}}">{{.Label}}{{if .Required}} <span class="mf-req" aria-hidden="true">*</span>{{end}}</label>
{{if eq .Type "textarea"}}<textarea id="{{.ID}}" name="{{.Name}}"{{template "attrs" .}}>{{.Value}}</textarea>
{{else if or (eq .Type "select") (eq .Type "country")}}<select id="{{.ID}}" name="{{.Name}}"{{template "attrs" .}}><option value="">{{if .Placeholder}}{{.Placeholder}}{{else}}—{{end}}</option>{{$f := .}}{{range .Options}}<option value="{{.Value}}"{{if index $f.Values .Value}} selected{{end}}>{{.Label}}</option>{{end}}</select>
{{else}}<input id="{{.ID}}" name="{{.Name}}" type="{{if eq .Type "number"}}number" step="any{{else if eq .Type "email"}}email{{else if eq .Type "tel"}}tel{{else if eq .Type "url"}}url{{else if eq .Type "date"}}date{{else if eq .Type "file"}}file{{else}}text{{end}}"{{if ne .Type "file"}} value="{{.Value}}"{{else}} accept="{{.AcceptAttr}}"{{end}}{{template "attrs" .}}>
{{end}}{{end}}<span class="mf-error" id="{{.ID}}_err"{{if not .Error}} hidden{{end}}>{{.Error}}</span></div>
{{end}}{{end}}
{{define "cond"}}{{if .ShowIf}} data-show-if="{{.ShowIf}}" data-show-values="{{.ShowVals}}"{{if .Hidden}} hidden{{end}}{{end}}{{end}}
{{define "attrs"}}{{if .Required}} required aria-required="true"{{end}}{{if .Placeholder}} placeholder="{{.Placeholder}}"{{end}}{{if .Pattern}} pattern="{{.Pattern}}"{{end}}{{if .MaxLength}} maxlength="{{.MaxLength}}"{{end}}{{if .ErrorMessage}} data-error="{{.ErrorMessage}}"{{end}} aria-describedby="{{.ID}}_err"{{if .Error}} aria-invalid="true"{{end}}{{end}}`))
