package sync

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestReportWriteJSON holds the streamed report to json.Encoder's bytes.
func TestReportWriteJSON(t *testing.T) {
	tricky := ArticleReport{Path: "content/faq/a<b>&c.md", Action: "conflict", Source: "stackexchange", SourceID: "42",
		Title: "Quote \" backslash \\ newline \n tab \t \u2028 é 中文 \"articles\": null", SourceURL: "https://x.example/q/42?a=1&b=2",
		Redactions: 3, Reason: "edited by a person"}
	full := newReport()
	full.Counts = Counts{Added: 2, Conflict: 1, Skipped: 5}
	full.Skipped["no_accepted_answer"] = 5
	full.Commit, full.Branch, full.PRURL, full.PROperation = "abc123", "kbsync/nightly", "https://forge/pr/1", "updated"
	full.PRTitle, full.PRBody, full.Warnings, full.Recovered = "kbsync: 2 added", "body\n\"articles\": null\n", []string{"w1", "w<2>"}, "finished"
	full.Articles = NewArticles(ArticleReport{Path: "faq/a.md", Action: "added", Source: "discourse", SourceID: "1", Title: "A"}, tricky,
		ArticleReport{Path: "faq/z.md", Action: "added", Source: "github", SourceID: "node_1", Title: "", SourceURL: ""})
	one := newReport()
	one.Articles = NewArticles(tricky)
	for name, rep := range map[string]*Report{"empty": newReport(), "one": one, "full": full, "nil articles": {Skipped: map[string]int{}}} {
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			t.Fatal(err)
		}
		if err := rep.WriteJSON(&got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.String() != want.String() {
			t.Errorf("%s: WriteJSON wrote\n%s\njson.Encoder writes\n%s", name, got.String(), want.String())
		}
	}
	if !strings.Contains(full.PRBody, `"articles": null`) {
		t.Fatal("the test lost its decoy")
	}
}
