package main

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// The custom commands of the writer's-loop scripts (init, report,
// preview --open, completion, man).
func init() {
	scriptCmds["catpath"] = cmdCatPath
	scriptCmds["secount"] = cmdSECount
}

// catpath FILE: print (for stdout assertions) the file whose path is the
// last line of FILE, e.g. the page preview --open names on stderr.
func cmdCatPath(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: catpath FILE")
	}
	lines := strings.Split(strings.TrimSpace(ts.ReadFile(args[0])), "\n")
	b, err := os.ReadFile(lines[len(lines)-1])
	ts.Check(err)
	ts.Stdout().Write(b)
}

// secount DIR WHAT N: the Stack Exchange dump in DIR has N questions of a
// kind, counted straight from Posts.xml. WHAT is questions, unanswered
// (no accept mark), solved (accepted answer present), or below=S (solved
// and scored below S).
func cmdSECount(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: secount DIR questions|unanswered|solved|below=S N")
	}
	f, err := os.Open(filepath.Join(ts.MkAbs(args[0]), "Posts.xml"))
	ts.Check(err)
	defer f.Close()
	type question struct {
		accepted string
		score    int
	}
	questions := map[string]question{}
	parent := map[string]string{}
	dec := xml.NewDecoder(f)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		ts.Check(err)
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "row" {
			continue
		}
		a := map[string]string{}
		for _, at := range se.Attr {
			a[at.Name.Local] = at.Value
		}
		switch a["PostTypeId"] {
		case "1":
			score, _ := strconv.Atoi(a["Score"])
			questions[a["Id"]] = question{accepted: a["AcceptedAnswerId"], score: score}
		case "2":
			parent[a["Id"]] = a["ParentId"]
		}
	}
	below, hasBelow := 0, false
	if s, ok := strings.CutPrefix(args[1], "below="); ok {
		below, err = strconv.Atoi(s)
		ts.Check(err)
		hasBelow = true
	}
	n := 0
	for id, q := range questions {
		solved := q.accepted != "" && parent[q.accepted] == id
		switch {
		case args[1] == "questions",
			args[1] == "unanswered" && q.accepted == "",
			args[1] == "solved" && solved,
			hasBelow && solved && q.score < below:
			n++
		}
	}
	want, err := strconv.Atoi(args[2])
	ts.Check(err)
	if (n == want) == neg {
		ts.Fatalf("secount: %s has %d %s questions, want %s", args[0], n, args[1], args[2])
	}
}
