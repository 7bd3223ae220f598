package github

import (
	"encoding/json"
	"errors"
	"flag"
	"go/parser"
	"go/token"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the export command in doc.go from ExportCommand")

// docBlock is ExportCommand as a doc comment code block.
func docBlock() string {
	return "//\t" + strings.ReplaceAll(ExportCommand, "\n", "\n//\t")
}

// TestDocCommand keeps the command in the package documentation equal to
// ExportCommand (go test -run TestDocCommand -update rewrites it).
func TestDocCommand(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		re := regexp.MustCompile(`(?s)//\tgh api graphql.*?> discussions\.json`)
		if !re.Match(src) {
			t.Fatal("no command block in doc.go to rewrite")
		}
		src = re.ReplaceAllLiteral(src, []byte(docBlock()))
		if err := os.WriteFile("doc.go", src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", src, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	if f.Doc == nil {
		t.Fatal("doc.go has no package documentation")
	}
	want := "\t" + strings.ReplaceAll(ExportCommand, "\n", "\n\t")
	if !strings.Contains(f.Doc.Text(), want) {
		t.Errorf("the package documentation does not quote ExportCommand; run go test -run TestDocCommand -update\nwant block:\n%s", want)
	}
	for _, must := range []string{"--paginate", "$endCursor", "pageInfo { hasNextPage endCursor }"} {
		if !strings.Contains(ExportCommand, must) {
			t.Errorf("ExportCommand lacks %q, which gh --paginate needs", must)
		}
	}
}

// gqlPaths lists the field paths that a GraphQL query selects, e.g.
// "data.repository.discussions.nodes.author.login".
func gqlPaths(t *testing.T, q string) map[string]bool {
	toks := regexp.MustCompile(`[_A-Za-z][_0-9A-Za-z]*|[{}()]|\$|[^\s]`).FindAllString(q, -1)
	i := 0
	skipParens := func() {
		if i < len(toks) && toks[i] == "(" {
			for depth := 0; i < len(toks); i++ {
				switch toks[i] {
				case "(":
					depth++
				case ")":
					depth--
				}
				if depth == 0 {
					i++
					return
				}
			}
		}
	}
	paths := map[string]bool{"data": true}
	var selection func(prefix string)
	selection = func(prefix string) {
		if toks[i] != "{" {
			t.Fatalf("query: want { at token %d, got %q", i, toks[i])
		}
		i++
		for toks[i] != "}" {
			name := toks[i]
			i++
			paths[prefix+name] = true
			skipParens()
			if toks[i] == "{" {
				selection(prefix + name + ".")
			}
		}
		i++
	}
	if toks[i] != "query" {
		t.Fatalf("query does not start with query: %q", toks[i])
	}
	i++
	skipParens()
	selection("data.")
	if i != len(toks) {
		t.Fatalf("query: trailing tokens %q", toks[i:])
	}
	return paths
}

func jsonPaths(prefix string, v any, into map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			into[prefix+k] = true
			jsonPaths(prefix+k+".", c, into)
		}
	case []any:
		for _, c := range v {
			jsonPaths(prefix, c, into)
		}
	}
}

// TestFixtureMirrorsQuery checks that testdata/paginate.json, which the
// fixture tests read, has exactly the shape ExportQuery asks for.
func TestFixtureMirrorsQuery(t *testing.T) {
	want := gqlPaths(t, ExportQuery)
	f, err := os.Open("testdata/paginate.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]bool{}
	dec := json.NewDecoder(f)
	pages := 0
	for {
		var v any
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pages++
		jsonPaths("", v, got)
	}
	if pages < 2 {
		t.Errorf("fixture has %d pages; gh --paginate output has several", pages)
	}
	var missing, extra []string
	for p := range want {
		if !got[p] {
			missing = append(missing, p)
		}
	}
	for p := range got {
		if !want[p] {
			extra = append(extra, p)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Errorf("fixture and ExportQuery differ:\nin the query only: %v\nin the fixture only: %v", missing, extra)
	}
	if len(want) < 40 {
		t.Errorf("parsed only %d paths from ExportQuery", len(want))
	}
}
