package sync

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kbsync/kbsync/kb"
	"github.com/kbsync/kbsync/sync/forum"
)

func TestTitleWordsAndStem(t *testing.T) {
	for _, tc := range []struct {
		title string
		want  []string // stems
	}{
		{"Why did my question get a downvote?", []string{"question", "downvot"}},
		{"Why are my questions downvoted and closed?", []string{"question", "downvot", "clos"}},
		{"Downvoting and/or voting to close", []string{"downvot", "vot", "clos"}},
		{"Quelles étiquettes utiliser ?", []string{"etiquett", "utiliser"}},
		{"Resetting and stopped, reset and stop", []string{"reset", "stop", "reset", "stop"}},
		{"Étiquettes pour les variantes régionales", []string{"etiquett", "variant", "regional"}},
		{"Policies on copies", []string{"policy", "copy"}},
		{"How do I?", nil},
		{"", nil},
		{"C'est l'étiquette d'un tag", []string{"etiquett", "tag"}},
		{"2020: a year in moderation", []string{"2020", "year", "moderation"}},
		{"bad \xff utf-8", []string{"bad", "utf"}},
		{"Ελληνικά ερωτήματα", []string{"ελληνικα", "ερωτηματα"}},
	} {
		var got []string
		for _, w := range titleWords(tc.title) {
			got = append(got, stem(w))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: stems %q, want %q", tc.title, got, tc.want)
		}
	}
}

// names turns clusters into the titles they group, for readable tables.
func names(titles []string, cs []TitleCluster) [][]string {
	var out [][]string
	for _, c := range cs {
		var g []string
		for _, m := range c.Members {
			g = append(g, titles[m])
		}
		out = append(out, g)
	}
	return out
}

func TestClusterTitles(t *testing.T) {
	for _, tc := range []struct {
		name      string
		titles    []string
		threshold float64
		want      [][]string
		terms     [][]string
	}{
		{name: "empty", titles: nil, threshold: 0.5},
		{name: "one title", titles: []string{"How do I reset my password?"}, threshold: 0.5},
		{
			name: "rewordings meet, other questions stay apart",
			titles: []string{
				"How do I reset my password?",
				"Is there a dark mode?",
				"Password reset does not work",
				"Resetting my password",
				"Dark mode for the app?",
				"How to export my data",
			},
			threshold: 0.5,
			want: [][]string{
				{"How do I reset my password?", "Password reset does not work", "Resetting my password"},
				{"Is there a dark mode?", "Dark mode for the app?"},
			},
			terms: [][]string{{"password", "reset"}, {"dark", "mode"}},
		},
		{
			name:      "identical titles group whatever their words",
			titles:    []string{"Question?", "Question", "question!", "Answer"},
			threshold: 0.99,
			want:      [][]string{{"Question?", "Question", "question!"}},
			terms:     [][]string{{"question"}},
		},
		{
			name:      "titles of stop words only are never grouped",
			titles:    []string{"How do I?", "How do I?", "What is it?"},
			threshold: 0.5,
		},
		{
			name:      "accents and plurals fold",
			titles:    []string{"Quelles étiquettes utiliser ?", "Quelle etiquette utiliser", "Autre chose"},
			threshold: 0.9,
			want:      [][]string{{"Quelles étiquettes utiliser ?", "Quelle etiquette utiliser"}},
		},
		{
			name: "a rare shared word outweighs common ones",
			titles: []string{
				"Why did my question get a downvote?", "Why did my answer get a downvote?",
				"Question about tags", "Question about edits", "Question about flags", "Question about bounties",
				"Question about chat", "Question about badges", "Question about reviews", "Question about comments",
				"Question about meta", "Answer about links", "Answer about images", "Answer about code",
				"Answer about quotes", "Answer about sources", "Answer about length", "Answer about votes",
				"Answer about wikis", "Answer about deletion", "Answer about spam",
			},
			threshold: 0.5,
			want:      [][]string{{"Why did my question get a downvote?", "Why did my answer get a downvote?"}},
			terms:     [][]string{{"downvote"}},
		},
		{
			name:      "a word common to every title does not group them",
			titles:    []string{"Question about tags", "Question about edits", "Question about flags"},
			threshold: 0.3,
		},
		{
			name:      "a high threshold keeps near matches apart",
			titles:    []string{"Reset password link expired", "Password reset does not work", "Dark mode"},
			threshold: 0.9,
		},
		{
			name:      "single linkage chains a to c through b; largest cluster first",
			titles:    []string{"alpha beta", "gamma delta", "beta gamma", "epsilon zeta", "epsilon zeta"},
			threshold: 0.25,
			want:      [][]string{{"alpha beta", "gamma delta", "beta gamma"}, {"epsilon zeta", "epsilon zeta"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ClusterTitles(tc.titles, tc.threshold)
			if g := names(tc.titles, got); !reflect.DeepEqual(g, tc.want) {
				t.Fatalf("clusters\n%q\nwant\n%q", g, tc.want)
			}
			for i, want := range tc.terms {
				if !slices.Equal(got[i].Terms, want) {
					t.Errorf("cluster %d terms %q, want %q", i, got[i].Terms, want)
				}
			}
			checkClusters(t, tc.titles, tc.threshold, got)
		})
	}
}

// checkClusters checks the invariants of any clustering: members in range,
// ascending, in one cluster at most, clusters of two or more, largest
// first, every member similar enough to another member, and the same
// partition for the titles in reverse order.
func checkClusters(t *testing.T, titles []string, threshold float64, cs []TitleCluster) {
	t.Helper()
	owner := map[int]int{}
	for ci, c := range cs {
		if len(c.Members) < 2 {
			t.Fatalf("cluster %d has %d members", ci, len(c.Members))
		}
		if ci > 0 && len(c.Members) > len(cs[ci-1].Members) {
			t.Fatalf("cluster %d is larger than cluster %d", ci, ci-1)
		}
		if !slices.IsSorted(c.Members) {
			t.Fatalf("cluster %d members not sorted: %v", ci, c.Members)
		}
		for _, m := range c.Members {
			if m < 0 || m >= len(titles) {
				t.Fatalf("member %d out of range", m)
			}
			if prev, dup := owner[m]; dup {
				t.Fatalf("title %d in clusters %d and %d", m, prev, ci)
			}
			owner[m] = ci
		}
	}
	// Similarity, recomputed here from the documented definition.
	df := map[string]int{}
	sets := make([]map[string]bool, len(titles))
	for i, title := range titles {
		sets[i] = map[string]bool{}
		for _, w := range titleWords(title) {
			sets[i][stem(w)] = true
		}
		for s := range sets[i] {
			df[s]++
		}
	}
	sim := func(a, b int) float64 {
		var in, un float64
		all := map[string]bool{}
		for s := range sets[a] {
			all[s] = true
		}
		for s := range sets[b] {
			all[s] = true
		}
		for s := range all {
			w := math.Log1p(float64(len(titles)) / float64(df[s]))
			un += w
			if sets[a][s] && sets[b][s] {
				in += w
			}
		}
		if un == 0 {
			return 0
		}
		return in / un
	}
	for ci, c := range cs {
		for _, m := range c.Members {
			linked := false
			for _, o := range c.Members {
				if o != m && (sim(m, o) >= threshold-1e-9 || (len(sets[m]) > 0 && reflect.DeepEqual(sets[m], sets[o]))) {
					linked = true
					break
				}
			}
			if !linked {
				t.Fatalf("cluster %d: title %q is similar to no other member", ci, titles[m])
			}
		}
	}
	rev := slices.Clone(titles)
	slices.Reverse(rev)
	part := func(cs []TitleCluster, n int, flip bool) []string {
		var out []string
		for _, c := range cs {
			var ms []int
			for _, m := range c.Members {
				if flip {
					m = n - 1 - m
				}
				ms = append(ms, m)
			}
			slices.Sort(ms)
			out = append(out, fmt.Sprint(ms))
		}
		slices.Sort(out)
		return out
	}
	if a, b := part(cs, len(titles), false), part(ClusterTitles(rev, threshold), len(titles), true); !slices.Equal(a, b) {
		t.Fatalf("order changes the clusters: %v vs %v reversed", a, b)
	}
}

func FuzzClusterTitles(f *testing.F) {
	f.Add("How do I reset my password?\nPassword reset does not work\nIs there a dark mode?", uint8(50))
	f.Add("Question?\nquestion\n\xff\xfe\nÉtiquettes\netiquette", uint8(0))
	f.Add("a b\nb c\nc d\nd e\n\n\n", uint8(100))
	f.Add("Ελληνικά\nελληνικα\n日本語の質問\n日本語の質問", uint8(30))
	f.Fuzz(func(t *testing.T, in string, pct uint8) {
		titles := strings.Split(in, "\n")
		if len(titles) > 200 {
			titles = titles[:200]
		}
		threshold := float64(pct%101) / 100
		checkClusters(t, titles, threshold, ClusterTitles(titles, threshold))
	})
}

// seQuestions counts, straight from Posts.xml, the questions, the solved
// ones (accepted answer present) and the unanswered ones (no accept mark).
func seQuestions(t *testing.T, dir string) (questions, solved, unanswered int, solvedIDs []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "Posts.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	accepted := map[string]string{}
	answers := map[string]string{}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
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
			questions++
			if a["AcceptedAnswerId"] == "" {
				unanswered++
			} else {
				accepted[a["Id"]] = a["AcceptedAnswerId"]
			}
		case "2":
			answers[a["Id"]] = a["ParentId"]
		}
	}
	for q, ans := range accepted {
		if answers[ans] == q {
			solved++
			solvedIDs = append(solvedIDs, q)
		}
	}
	slices.Sort(solvedIDs)
	return
}

func TestReportBacklogCorpus(t *testing.T) {
	dir := "../testdata/corpus/stackexchange/history-meta-2018"
	questions, solved, unanswered, _ := seQuestions(t, dir)
	b, err := ReportBacklog(context.Background(), BacklogOptions{
		Sources: []Source{{Path: dir, Site: "https://history.meta.stackexchange.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	if b.Threads != questions || b.Solved != solved || b.Unanswered != unanswered {
		t.Fatalf("threads/solved/unanswered = %d/%d/%d, Posts.xml says %d/%d/%d",
			b.Threads, b.Solved, b.Unanswered, questions, solved, unanswered)
	}
	if b.Compared || len(b.Missing) != solved {
		t.Fatalf("without a KB every solved thread is missing: compared=%v, %d missing", b.Compared, len(b.Missing))
	}
	if len(b.Clusters) == 0 {
		t.Fatal("no clusters among the unanswered questions of history meta")
	}
	// The downvote questions are one of the recurring ones.
	found := false
	for _, c := range b.Clusters {
		ids := []string{}
		for _, th := range c.Threads {
			ids = append(ids, th.ID)
		}
		if slices.Contains(ids, "618") && slices.Contains(ids, "3717") {
			found = true
		}
		if c.Size != len(c.Threads) || c.Size < 2 {
			t.Fatalf("cluster size %d with %d threads", c.Size, len(c.Threads))
		}
	}
	if !found {
		t.Error(`"Why did my question get a downvote?" (618) and "Why did my answer get a downvote?" (3717) are not clustered`)
	}
}

// TestReportBacklogKB syncs part of an export into a knowledge base, then
// checks that the report lists exactly the solved threads left out, and
// that it reads the manifest committed at HEAD, not the working tree.
func TestReportBacklogKB(t *testing.T) {
	tmp := t.TempDir()
	export := filepath.Join(tmp, "export.jsonl")
	var lines []string
	solvedLow := map[string]bool{} // solved threads scored below 5: left out of the KB
	for i := 1; i <= 12; i++ {
		th := map[string]any{
			"id": fmt.Sprint(i), "title": fmt.Sprintf("How do I configure widget %d?", i), "score": i,
			"question": map[string]any{"body": "Help.", "format": "markdown", "author": "asker", "created": "2024-01-01T10:00:00Z"},
		}
		if i%3 != 0 {
			th["answer"] = map[string]any{"id": fmt.Sprint(100 + i), "body": "Like this.", "format": "markdown", "author": "helper", "created": "2024-01-02T10:00:00Z"}
			if i < 5 {
				solvedLow[fmt.Sprint(i)] = true
			}
		} else {
			th["title"] = fmt.Sprintf("Why is the export to spreadsheet so slow (%d)?", i)
		}
		if i == 12 {
			th["status"] = "private"
			th["title"] = "Private: why is the export to spreadsheet slow?"
		}
		b, _ := json.Marshal(th)
		lines = append(lines, string(b))
	}
	if err := os.WriteFile(export, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := []Source{{Format: "jsonl", Path: export, Site: "https://forum.example.com"}}
	kbDir := filepath.Join(tmp, "kb")
	five := 5
	rep, err := Run(context.Background(), Options{Sources: src, Policy: Policy{MinScore: &five},
		KB: kb.Options{Path: kbDir, Now: func() time.Time { return time.Unix(1700000000, 0) }}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts.Added != 8-len(solvedLow) {
		t.Fatalf("synced %d articles, want %d", rep.Counts.Added, 8-len(solvedLow))
	}
	// A manifest in the working tree that is not committed does not count.
	if err := os.WriteFile(filepath.Join(kbDir, kb.ManifestPath), []byte(`{"version":1,"articles":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := ReportBacklog(context.Background(), BacklogOptions{Sources: src, KB: kbDir})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, m := range b.Missing {
		missing = append(missing, m.ID)
	}
	want := slices.Sorted(maps.Keys(solvedLow))
	if !b.Compared || b.Solved != 8 || b.InKB != 8-len(solvedLow) || !slices.Equal(missing, want) {
		t.Fatalf("compared=%v solved=%d inKB=%d missing=%v, want 8, %d, %v", b.Compared, b.Solved, b.InKB, missing, 8-len(solvedLow), want)
	}
	// Unanswered: 3, 6, 9 (12 is private and never shown), one cluster.
	if b.Unanswered != 3 || len(b.Clusters) != 1 || b.Clusters[0].Size != 3 {
		t.Fatalf("unanswered %d, clusters %+v", b.Unanswered, b.Clusters)
	}
	for _, th := range b.Clusters[0].Threads {
		if strings.Contains(th.Title, "Private") {
			t.Fatal("a private thread's title is listed")
		}
	}

	// A knowledge base that does not exist yet has no article.
	b, err = ReportBacklog(context.Background(), BacklogOptions{Sources: src, KB: filepath.Join(tmp, "new")})
	if err != nil || !b.Compared || b.InKB != 0 || len(b.Missing) != 8 {
		t.Fatalf("new KB: %v, %+v", err, b)
	}
	if _, err := os.Stat(filepath.Join(tmp, "new")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the report created the knowledge base")
	}
	// A remote one, or a folder with files but no repository, is a usage error.
	os.WriteFile(filepath.Join(tmp, "notes.txt"), []byte("x"), 0o644)
	for _, path := range []string{"https://example.com/kb.git", filepath.Join(tmp)} {
		_, err := ReportBacklog(context.Background(), BacklogOptions{Sources: src, KB: path})
		var ue *kb.UsageError
		if !errors.As(err, &ue) {
			t.Errorf("KB %s: err %v, want a *kb.UsageError", path, err)
		}
	}
	// Bad input names the file.
	bad := filepath.Join(tmp, "bad.jsonl")
	os.WriteFile(bad, []byte(lines[0][:40]+"\n"), 0o644)
	_, err = ReportBacklog(context.Background(), BacklogOptions{Sources: []Source{{Format: "jsonl", Path: bad}}})
	if !forum.IsInput(err) || !strings.Contains(err.Error(), "bad.jsonl") {
		t.Fatalf("truncated export: %v, want an input error naming the file", err)
	}
}
