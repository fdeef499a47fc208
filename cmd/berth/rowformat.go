package main

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/template"
)

// formatRows prints rows (a slice of structs whose fields are Docker's column names)
// as Docker's list commands do with --format: "table" (or "") the default table,
// "json" one object per line, "table TEMPLATE" a table of the template's columns
// under their headers, and any other text a Go template per row ({{.Name}}), with
// Docker's template functions json, join, lower, upper, title, split, truncate, pad
// and its escapes \t and \n.
func formatRows(w io.Writer, format string, rows any, table func(io.Writer) error, headers map[string]string) error {
	switch {
	case format == "" || format == "table":
		return table(w)
	case format == "json":
		enc := json.NewEncoder(w)
		return eachRow(rows, func(r any) error { return enc.Encode(r) })
	}
	text, isTable := strings.CutPrefix(format, "table ")
	text = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(strings.TrimSpace(text)) // as Docker's
	tmpl, err := template.New("format").Funcs(rowTemplateFuncs).Parse(text)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	var out io.Writer = w
	tw := dockerTable(w)
	if isTable {
		out = tw
		if err := tableHeader(tw, text, headers); err != nil {
			return err
		}
	}
	err = eachRow(rows, func(r any) error {
		if err := tmpl.Execute(out, r); err != nil {
			return fmt.Errorf("--format: %w", err)
		}
		_, err := fmt.Fprintln(out)
		return err
	})
	if err != nil {
		return err
	}
	return tw.Flush()
}

func eachRow(rows any, fn func(any) error) error {
	v := reflect.ValueOf(rows)
	for i := 0; i < v.Len(); i++ {
		if err := fn(v.Index(i).Interface()); err != nil {
			return err
		}
	}
	return nil
}

// tableHeader prints the header line of a "table TEMPLATE" format: the template with
// each {{.Field}} replaced by the field's column name.
func tableHeader(w io.Writer, text string, headers map[string]string) error {
	h := map[string]string{}
	for field, title := range headers {
		h[field] = title
	}
	tmpl, err := template.New("header").Funcs(rowTemplateFuncs).Parse(text)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if err := tmpl.Execute(w, h); err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	_, err = fmt.Fprintln(w)
	return err
}

var rowTemplateFuncs = template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"join":  strings.Join,
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
	"title": func(s string) string {
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	},
	"split": strings.Split,
	"truncate": func(s string, n int) string {
		if len(s) > n {
			return s[:n]
		}
		return s
	},
	"pad": func(s string, before, after int) string {
		return strings.Repeat(" ", before) + s + strings.Repeat(" ", after)
	},
}
