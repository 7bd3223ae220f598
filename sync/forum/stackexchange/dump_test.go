package stackexchange

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
)

const corpus = "../../../testdata/corpus/stackexchange/"

// readAll collects every thread the dump yields.
func readAll(t testing.TB, d *Dump) ([]*forum.Thread, error) {
	t.Helper()
	var out []*forum.Thread
	err := d.Threads(context.Background(), func(th *forum.Thread) error {
		out = append(out, th)
		return nil
	})
	return out, err
}

// xmlRows reads a dump table with encoding/xml into one map per row: the
// independent reading the reader's results are checked against.
func xmlRows(t testing.TB, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	d.Strict = true
	var rows []map[string]string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "row" {
			m := make(map[string]string, len(se.Attr))
			for _, a := range se.Attr {
				m[a.Name.Local] = a.Value
			}
			rows = append(rows, m)
		}
	}
}

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

// dumpTime parses a dump date for the expectations (0 to 3 fraction digits).
func dumpTime(t testing.TB, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	v, err := time.Parse("2006-01-02T15:04:05.999", s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return v
}

var angleTag = regexp.MustCompile(`<([^<>]+)>`)

// expected is what a dump folder should yield, worked out from the raw
// tables with encoding/xml and none of the reader's code.
type expected struct {
	order  []string
	skip   map[string]string
	posts  map[string]map[string]string
	users  map[string]string      // Id -> DisplayName
	body   map[string]string      // post id -> Text of the latest body revision
	dups   map[string][]forum.Ref // original question -> its duplicates
	byKind map[string]int         // author rule -> posts named by it
	hist   bool
}

func expect(t *testing.T, dir, site string) *expected {
	e := &expected{skip: map[string]string{}, posts: map[string]map[string]string{}, users: map[string]string{},
		body: map[string]string{}, dups: map[string][]forum.Ref{}, byKind: map[string]int{}}
	rows := xmlRows(t, filepath.Join(dir, "Posts.xml"))
	for _, r := range rows {
		e.posts[r["Id"]] = r
	}
	var solved []string
	for _, r := range rows {
		if r["PostTypeId"] != "1" {
			continue
		}
		acc, ok := r["AcceptedAnswerId"]
		switch a := e.posts[acc]; {
		case !ok:
			e.order = append(e.order, r["Id"])
			e.skip[r["Id"]] = forum.SkipNoAcceptedAnswer
		case a != nil && a["PostTypeId"] == "2" && a["ParentId"] == r["Id"]:
			solved = append(solved, r["Id"])
			e.skip[r["Id"]] = ""
		default:
			solved = append(solved, r["Id"])
			e.skip[r["Id"]] = forum.SkipAcceptedAnswerMissing
		}
	}
	e.order = append(e.order, solved...)
	if p := filepath.Join(dir, "Users.xml"); exists(p) {
		for _, u := range xmlRows(t, p) {
			e.users[u["Id"]] = u["DisplayName"]
		}
	}
	if p := filepath.Join(dir, "PostHistory.xml"); exists(p) {
		e.hist = true
		type rev struct {
			at   time.Time
			id   int
			text string
		}
		latest := map[string]rev{}
		for _, h := range xmlRows(t, p) {
			switch h["PostHistoryTypeId"] {
			case "2", "5", "8":
			default:
				continue
			}
			id, _ := strconv.Atoi(h["Id"])
			r := rev{dumpTime(t, h["CreationDate"]), id, h["Text"]}
			old, ok := latest[h["PostId"]]
			if !ok || r.at.After(old.at) || r.at.Equal(old.at) && r.id > old.id {
				latest[h["PostId"]] = r
			}
		}
		for post, r := range latest {
			e.body[post] = r.text
		}
	}
	if p := filepath.Join(dir, "PostLinks.xml"); exists(p) {
		dupOf := map[string]string{}
		for _, l := range xmlRows(t, p) {
			if l["LinkTypeId"] == "3" && l["PostId"] != l["RelatedPostId"] {
				dupOf[l["PostId"]] = l["RelatedPostId"]
			}
		}
		for _, r := range rows {
			if orig, ok := dupOf[r["Id"]]; ok && r["PostTypeId"] == "1" {
				e.dups[orig] = append(e.dups[orig], forum.Ref{ID: r["Id"], Title: forum.OneLine(r["Title"]), URL: site + "/q/" + r["Id"]})
			}
		}
	}
	return e
}

// author is the name a post should carry, and which rule gave it.
func (e *expected) author(r map[string]string) (name, rule string) {
	uid, hasUID := r["OwnerUserId"]
	if n := forum.OneLine(e.users[uid]); hasUID && n != "" {
		return n, "Users.xml"
	}
	if n := forum.OneLine(r["OwnerDisplayName"]); n != "" {
		return n, "OwnerDisplayName"
	}
	if hasUID {
		return "user " + uid, "user id"
	}
	return "deleted user", "none"
}

// license is the answer's ContentLicense, or the one Stack Exchange applied
// on its creation date (https://stackoverflow.com/help/licensing).
func license(r map[string]string) string {
	if l := r["ContentLicense"]; l != "" {
		return l
	}
	switch c := r["CreationDate"]; {
	case c < "2011-04-08":
		return "CC BY-SA 2.5"
	case c < "2018-05-02":
		return "CC BY-SA 3.0"
	default:
		return "CC BY-SA 4.0"
	}
}

func (e *expected) checkPost(t *testing.T, p *forum.Post, r map[string]string, url string) {
	t.Helper()
	id := r["Id"]
	if p.ID != id || p.URL != url {
		t.Errorf("post %s: id %q url %q, want url %q", id, p.ID, p.URL, url)
	}
	wantBody, wantFormat := forum.CleanText(r["Body"]), forum.HTML
	if text, ok := e.body[id]; ok && forum.CleanText(text) != "" {
		// The author's Markdown, with [tag:x] made a link to the site.
		site := url[:strings.LastIndex(url[:strings.LastIndexByte(url, '/')], "/")]
		wantBody, wantFormat = TagLinks(forum.CleanText(text), site), forum.Markdown
	}
	if p.Body != wantBody || p.Format != wantFormat {
		t.Errorf("post %s: body (%s, %d bytes) differs from the expected (%s, %d bytes):\n got %.200q\nwant %.200q",
			id, p.Format, len(p.Body), wantFormat, len(wantBody), p.Body, wantBody)
	}
	name, rule := e.author(r)
	e.byKind[rule]++
	if p.Author != name || p.AuthorID != r["OwnerUserId"] {
		t.Errorf("post %s: author %q (%q), want %q (%q) by %s", id, p.Author, p.AuthorID, name, r["OwnerUserId"], rule)
	}
	if want := dumpTime(t, r["CreationDate"]); !p.Created.Equal(want) {
		t.Errorf("post %s: created %v, want %v", id, p.Created, want)
	}
	if want := dumpTime(t, r["LastEditDate"]); !p.Updated.Equal(want) {
		t.Errorf("post %s: updated %v, want %v", id, p.Updated, want)
	}
	if want, _ := strconv.Atoi(r["Score"]); p.Score != want {
		t.Errorf("post %s: score %d, want %d", id, p.Score, want)
	}
}

func TestCorpusDumps(t *testing.T) {
	tests := []struct {
		dir, site string
		solved    int // from SOURCE.md, as a cross-check of the independent count
		markdown  bool
	}{
		{"coffee-2015", "https://coffee.stackexchange.com", 105, false},
		{"conlang-meta-2020", "https://conlang.meta.stackexchange.com", 11, true},
		{"french-meta-2021", "https://french.meta.stackexchange.com", 86, true},
		{"history-meta-2018", "https://history.meta.stackexchange.com", 181, false},
	}
	rules := map[string]int{}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			dir := corpus + tc.dir
			e := expect(t, dir, tc.site)
			d, err := Open(dir, forum.Options{Site: tc.site + "/"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(t, d)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			counts := map[string]int{}
			for _, th := range got {
				ids = append(ids, th.ID)
				counts[th.Skip]++
			}
			if !reflect.DeepEqual(ids, e.order) {
				t.Fatalf("threads in order %v..., want %v... (%d vs %d)", ids[:min(5, len(ids))], e.order[:min(5, len(e.order))], len(ids), len(e.order))
			}
			wantCounts := map[string]int{}
			for _, s := range e.skip {
				wantCounts[s]++
			}
			if !reflect.DeepEqual(counts, wantCounts) || counts[""] != tc.solved {
				t.Fatalf("counts %v, want %v (SOURCE.md: %d solved)", counts, wantCounts, tc.solved)
			}
			markdown, dups := 0, 0
			for _, th := range got {
				q := e.posts[th.ID]
				if th.Skip != e.skip[th.ID] || th.Source != forum.StackExchange || th.Site != tc.site ||
					th.URL != tc.site+"/q/"+th.ID || th.Title != forum.OneLine(q["Title"]) {
					t.Errorf("thread %s: skip %q source %q site %q url %q title %q", th.ID, th.Skip, th.Source, th.Site, th.URL, th.Title)
				}
				var tags []string
				for _, m := range angleTag.FindAllStringSubmatch(q["Tags"], -1) {
					tags = append(tags, m[1])
				}
				if len(tags)+len(th.Tags) > 0 && !reflect.DeepEqual(th.Tags, tags) {
					t.Errorf("thread %s: tags %q, want %q", th.ID, th.Tags, tags)
				}
				if !th.Created.Equal(dumpTime(t, q["CreationDate"])) {
					t.Errorf("thread %s: created %v", th.ID, th.Created)
				}
				if th.Skip != "" {
					if th.Answer != nil {
						t.Errorf("skipped thread %s has an answer", th.ID)
					}
					continue
				}
				a := e.posts[q["AcceptedAnswerId"]]
				e.checkPost(t, &th.Question, q, th.URL)
				if th.Answer == nil {
					t.Fatalf("thread %s: no answer", th.ID)
				}
				e.checkPost(t, th.Answer, a, tc.site+"/a/"+a["Id"])
				if th.Question.Format == forum.Markdown {
					markdown++
				}
				if th.License != license(a) {
					t.Errorf("thread %s: licence %q, want %q", th.ID, th.License, license(a))
				}
				_, wiki1 := q["CommunityOwnedDate"]
				_, wiki2 := a["CommunityOwnedDate"]
				_, closed := q["ClosedDate"]
				if th.CommunityWiki != (wiki1 || wiki2) || th.Closed != closed {
					t.Errorf("thread %s: wiki %v closed %v", th.ID, th.CommunityWiki, th.Closed)
				}
				if len(th.Duplicates)+len(e.dups[th.ID]) > 0 && !reflect.DeepEqual(th.Duplicates, e.dups[th.ID]) {
					t.Errorf("thread %s: duplicates %+v, want %+v", th.ID, th.Duplicates, e.dups[th.ID])
				}
				dups += len(th.Duplicates)
			}
			if tc.markdown != (markdown > 0) || tc.markdown && !e.hist {
				t.Errorf("%d solved questions have Markdown bodies; want some: %v", markdown, tc.markdown)
			}
			t.Logf("%v; %d Markdown questions; %d duplicates attached; authors by rule %v", counts, markdown, dups, e.byKind)
			for k, v := range e.byKind {
				rules[k] += v
			}
		})
	}
	// Every naming rule is met in real data, so the checks above test them all.
	for _, r := range []string{"Users.xml", "OwnerDisplayName", "user id"} {
		if rules[r] == 0 {
			t.Errorf("no corpus post is named by the %s rule: %v", r, rules)
		}
	}
}

// Duplicates must be exercised by the corpus, or TestCorpusDumps proves
// nothing about them.
func TestCorpusHasDuplicates(t *testing.T) {
	n := 0
	for _, dir := range []string{"french-meta-2021", "conlang-meta-2020"} {
		for _, refs := range expect(t, corpus+dir, "https://x").dups {
			n += len(refs)
		}
	}
	if n == 0 {
		t.Fatal("no LinkTypeId 3 duplicate in the corpus")
	}
}

func TestThreadsDeterministic(t *testing.T) {
	for _, dir := range []string{"french-meta-2021", "coffee-2015"} {
		d, err := Open(corpus+dir, forum.Options{Site: "https://x.stackexchange.com"})
		if err != nil {
			t.Fatal(err)
		}
		var runs [2][]byte
		for i := range runs {
			got, err := readAll(t, d)
			if err != nil {
				t.Fatal(err)
			}
			if runs[i], err = json.Marshal(got); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(runs[0], runs[1]) {
			t.Errorf("%s: two runs differ", dir)
		}
	}
}

func TestOpenFileAndSiteFromFolderName(t *testing.T) {
	src, err := os.ReadFile(corpus + "coffee-2015/Posts.xml")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "coffee.stackexchange.com")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Posts.xml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{dir, filepath.Join(dir, "Posts.xml")} {
		d, err := Open(path, forum.Options{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := readAll(t, d)
		if err != nil || len(got) == 0 || got[0].URL != "https://coffee.stackexchange.com/q/"+got[0].ID {
			t.Fatalf("%s: %v, %d threads", path, err, len(got))
		}
	}
}

func TestSniff(t *testing.T) {
	tmp := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		path string
		want bool
	}{
		{corpus + "coffee-2015", true},
		{corpus + "history-meta-2018", true}, // DOCTYPE line
		{corpus + "french-meta-2021/Posts.xml", true},
		{corpus + "french-meta-2021/Users.xml", false},
		{write("empty/Posts.xml", bom+decl+"\n<posts/>\n"), true},
		{write("comment/Posts.xml", "<!-- x --><posts>\n</posts>"), true},
		{write("topic.json", `{"post_stream":{"posts":[]}}`), false},
		{filepath.Join(tmp, "topic-dir"), false},
	}
	if err := os.Mkdir(filepath.Join(tmp, "topic-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		got, err := Sniff(tc.path)
		if err != nil || got != tc.want {
			t.Errorf("Sniff(%s) = %v, %v; want %v", tc.path, got, err, tc.want)
		}
	}
	if _, err := Sniff(filepath.Join(tmp, "missing")); err == nil {
		t.Error("Sniff of a missing path: no error")
	}
}

// row writes one dump row from name/value pairs (values are escaped); a
// later pair replaces an earlier one of the same name.
func row(pairs ...string) string {
	var names []string
	vals := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if _, ok := vals[pairs[i]]; !ok {
			names = append(names, pairs[i])
		}
		vals[pairs[i]] = pairs[i+1]
	}
	var b strings.Builder
	b.WriteString("  <row")
	for _, n := range names {
		fmt.Fprintf(&b, ` %s="`, n)
		xml.EscapeText(&b, []byte(vals[n]))
		b.WriteString(`"`)
	}
	b.WriteString(" />\n")
	return b.String()
}

func table(root string, rows ...string) string {
	return bom + decl + "\n<" + root + ">\n" + strings.Join(rows, "") + "</" + root + ">\n"
}

func q(id, acc string, more ...string) string {
	p := []string{"Id", id, "PostTypeId", "1", "CreationDate", "2015-01-27T20:09:32.720", "Score", "3",
		"Body", "<p>question " + id + "</p>\n", "Title", "Question " + id, "Tags", "<a><b>"}
	if acc != "" {
		p = append(p, "AcceptedAnswerId", acc)
	}
	return row(append(p, more...)...)
}

func a(id, parent string, more ...string) string {
	p := []string{"Id", id, "PostTypeId", "2", "ParentId", parent, "CreationDate", "2015-01-28T10:00:00.1",
		"Score", "5", "Body", "<p>answer " + id + "</p>\n"}
	return row(append(p, more...)...)
}

// dumpDir writes the tables of a dump into a folder named after its site.
func dumpDir(t *testing.T, tables map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "test.stackexchange.com")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range tables {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestAuthorsHistoryLinksAndLicence(t *testing.T) {
	posts := table("posts",
		q("1", "2", "OwnerUserId", "10", "ContentLicense", "CC BY-SA 3.0"),
		a("2", "1", "OwnerUserId", "13", "ContentLicense", "CC BY-SA 4.0", "LastEditDate", "2016-01-01T00:00:00"),
		q("3", "4", "OwnerDisplayName", " Carol\n"),
		a("4", "3"),
		q("5", "6", "OwnerUserId", "11", "OwnerDisplayName", "Dan", "CommunityOwnedDate", "2015-02-01T00:00:00"),
		a("6", "5", "OwnerUserId", "12", "CreationDate", "2019-06-01T00:00:00"),
		q("7", "", "Title", "Same as 1", "OwnerUserId", "10"),
		q("8", "", "Title", "Also\nthe same as 1"),
		q("9", "99", "OwnerUserId", "10"),
	)
	users := table("users",
		row("Id", "10", "DisplayName", "Alice"),
		row("Id", "11", "DisplayName", ""),
		row("Id", "12", "DisplayName", "  Bob\n Smith "),
		row("Id", "13"), // no DisplayName at all
	)
	hist := table("posthistory",
		row("Id", "20", "PostHistoryTypeId", "2", "PostId", "1", "CreationDate", "2015-01-27T20:09:32.720", "Text", "first"),
		row("Id", "23", "PostHistoryTypeId", "5", "PostId", "1", "CreationDate", "2015-03-01T00:00:00", "Text", "**edited**\r\nline two"),
		row("Id", "21", "PostHistoryTypeId", "5", "PostId", "1", "CreationDate", "2015-02-01T00:00:00", "Text", "older edit"),
		row("Id", "24", "PostHistoryTypeId", "6", "PostId", "1", "CreationDate", "2015-04-01T00:00:00", "Text", "<tags>"),
		row("Id", "25", "PostHistoryTypeId", "4", "PostId", "1", "CreationDate", "2015-04-01T00:00:00", "Text", "a title edit"),
		row("Id", "30", "PostHistoryTypeId", "2", "PostId", "2", "CreationDate", "2015-01-28T10:00:00.1", "Text", "answer v1"),
		row("Id", "32", "PostHistoryTypeId", "8", "PostId", "2", "CreationDate", "2015-05-01T00:00:00", "Text", "rolled back"),
		row("Id", "31", "PostHistoryTypeId", "5", "PostId", "2", "CreationDate", "2015-05-01T00:00:00", "Text", "same instant, lower id"),
		row("Id", "40", "PostHistoryTypeId", "2", "PostId", "4", "CreationDate", "2015-01-28T10:00:00", "Text", ""),
	)
	links := table("postlinks",
		row("Id", "1", "PostId", "7", "RelatedPostId", "1", "LinkTypeId", "3"),
		row("Id", "2", "PostId", "8", "RelatedPostId", "1", "LinkTypeId", "3"),
		row("Id", "3", "PostId", "3", "RelatedPostId", "1", "LinkTypeId", "1"), // a plain link
		row("Id", "4", "PostId", "5", "RelatedPostId", "5", "LinkTypeId", "3"), // to itself
	)
	dir := dumpDir(t, map[string]string{"Posts.xml": posts, "Users.xml": users, "PostHistory.xml": hist, "PostLinks.xml": links})
	d, err := Open(dir, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, d)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*forum.Thread{}
	var order []string
	for _, th := range got {
		byID[th.ID] = th
		order = append(order, th.ID)
	}
	if want := []string{"7", "8", "1", "3", "5", "9"}; !reflect.DeepEqual(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	site := "https://test.stackexchange.com"
	t1, t3, t5, t9 := byID["1"], byID["3"], byID["5"], byID["9"]
	checks := []struct {
		what      string
		got, want any
	}{
		{"1 question author", t1.Question.Author, "Alice"},
		{"1 question body: the latest revision, CR dropped", t1.Question.Body, "**edited**\nline two"},
		{"1 question format", t1.Question.Format, forum.Markdown},
		{"1 answer author (user without a name)", t1.Answer.Author, "user 13"},
		{"1 answer body: latest of 5 and 8 at one instant by Id", t1.Answer.Body, "rolled back"},
		{"1 answer updated", t1.Answer.Updated, time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"1 answer url", t1.Answer.URL, site + "/a/2"},
		{"1 licence: the answer's", t1.License, "CC BY-SA 4.0"},
		{"1 duplicates", t1.Duplicates, []forum.Ref{{ID: "7", Title: "Same as 1", URL: site + "/q/7"}, {ID: "8", Title: "Also the same as 1", URL: site + "/q/8"}}},
		{"3 question author (display name only)", t3.Question.Author, "Carol"},
		{"3 answer author (nobody)", t3.Answer.Author, "deleted user"},
		{"3 answer body: empty revision keeps the HTML", t3.Answer.Body, "<p>answer 4</p>\n"},
		{"3 answer format", t3.Answer.Format, forum.HTML},
		{"3 licence implied from 2015", t3.License, "CC BY-SA 3.0"},
		{"3 no duplicates from a plain link", len(t3.Duplicates), 0},
		{"5 question author (empty user name, display name)", t5.Question.Author, "Dan"},
		{"5 answer author (name from Users.xml, one line)", t5.Answer.Author, "Bob Smith"},
		{"5 community wiki", t5.CommunityWiki, true},
		{"5 licence implied from 2019", t5.License, "CC BY-SA 4.0"},
		{"5 no self-duplicate", len(t5.Duplicates), 0},
		{"9 skip", t9.Skip, forum.SkipAcceptedAnswerMissing},
		{"9 title", t9.Title, "Question 9"},
		{"9 author", t9.Question.Author, "Alice"},
		{"9 no answer", t9.Answer == nil, true},
		{"7 skip", byID["7"].Skip, forum.SkipNoAcceptedAnswer},
		{"7 tags", byID["7"].Tags, []string{"a", "b"}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.what, c.got, c.want)
		}
	}
}

// badCase is a dump that must fail with an InputError naming file, record
// and byte offset.
type badCase struct {
	name   string
	tables map[string]string
	file   string // the file the error must name
	record string
	offset int64
	msg    string // part of the message
}

// nth returns the byte offset of the n-th (1-based) occurrence of sub.
func nth(s, sub string, n int) int64 {
	off := 0
	for i := 0; i < n; i++ {
		j := strings.Index(s[off:], sub)
		if j < 0 {
			return -1
		}
		off += j
		if i < n-1 {
			off += len(sub)
		}
	}
	return int64(off)
}

func TestBadInput(t *testing.T) {
	coffee, err := os.ReadFile(corpus + "coffee-2015/Posts.xml")
	if err != nil {
		t.Fatal(err)
	}
	real := string(coffee)
	cutRow := nth(real, "<row ", 50) + 40                           // inside row 50
	cutBetween := nth(real, "<row ", 51) - 2                        // after row 50 and its newline
	malformed := strings.Replace(real, `Score="20"`, `Score=20`, 1) // row 1
	row3 := nth(real, "<row ", 3)
	malformed3 := real[:row3] + strings.Replace(real[row3:], `"`, `'`, 1) // row 3 opens ' and closes "
	nested := strings.Replace(table("posts", q("1", ""), q("2", "")), "/>", "><x/></row>", 1)
	qa := func(rows ...string) map[string]string { return map[string]string{"Posts.xml": table("posts", rows...)} }
	ps := func(rows ...string) string { return table("posts", rows...) }
	rowAt := func(tables map[string]string, file string, n int) int64 { return nth(tables[file], "<row ", n) }
	afterClose := ps(q("1", "3"), q("2", ""), a("3", "1")) + strings.Repeat(q("4", ""), 3) + "</posts>\n"

	cases := []badCase{
		{name: "truncated inside a row", tables: map[string]string{"Posts.xml": real[:cutRow]},
			record: "row 50", offset: cutRow, msg: "unexpected end of file inside a tag (the file is truncated"},
		{name: "truncated between rows", tables: map[string]string{"Posts.xml": real[:cutBetween]},
			record: "after row 50", offset: cutBetween, msg: "the closing </posts> tag is missing"},
		{name: "unquoted value", tables: map[string]string{"Posts.xml": malformed},
			record: "row 1", offset: nth(real, "<row ", 1), msg: "attribute Score has no quoted value"},
		// The quote opened by ' runs on to the end of the file.
		{name: "quotes that do not match", tables: map[string]string{"Posts.xml": malformed3},
			record: "row 3", offset: int64(len(malformed3)), msg: "a quote opened in it is never closed"},
		{name: "answer after the question that wrongly accepts it", tables: qa(q("1", "3"), q("2", ""), a("3", "2")),
			record: "row 3", msg: "answer 3 belongs to question 2, but question 1 accepts it"},
		{name: "answer before the question that wrongly accepts it, its own question first", tables: qa(q("2", ""), a("3", "2"), q("1", "3")),
			record: "row 3", msg: "question 1 accepts post 3, which comes earlier in the file and is not one of its answers"},
		{name: "answer before both questions", tables: qa(a("3", "2"), q("1", "3"), q("2", "")),
			record: "row 2", msg: "question 1 accepts answer 3, which belongs to question 2"},
		{name: "question accepts a question", tables: qa(q("1", "2"), q("2", "")),
			record: "row 2", msg: "question 1 accepts post 2, which is not an answer (PostTypeId 1)"},
		{name: "question accepts itself", tables: qa(q("1", "1")),
			record: "row 1", msg: "question 1 accepts post 1, which comes earlier"},
		{name: "two questions accept one answer", tables: qa(q("1", "3"), q("2", "3"), a("3", "1")),
			record: "row 2", msg: "answer 3 is accepted by two questions"},
		{name: "duplicate Id", tables: qa(q("1", "2"), a("2", "1"), q("1", "")),
			record: "row 3", msg: "post Id 1 appears twice"},
		{name: "question without Id", tables: qa(q("1", ""), row("PostTypeId", "1", "Title", "no id")),
			record: "row 2", msg: "the row has no Id"},
		{name: "Id not a number", tables: qa(q("x1", "")),
			record: "row 1", msg: `attribute Id is not an integer: "x1"`},
		{name: "answer without ParentId", tables: qa(q("1", ""), row("Id", "2", "PostTypeId", "2")),
			record: "row 2", msg: "answer 2 has no ParentId"},
		{name: "bad entity in a body", tables: map[string]string{"Posts.xml": strings.Replace(ps(q("1", ""), q("2", "")), "question 2", "&nbsp;", 1)},
			record: "row 2", msg: "attribute Body: invalid character entity &nbsp;"},
		// Rows after the table's closing tag: a chunk that ends after it
		// must not let the next chunk carry on as if the table were open.
		{name: "rows after the closing tag", tables: map[string]string{"Posts.xml": afterClose},
			record: "after row 3", offset: nth(afterClose, "<row ", 4), msg: "content after the closing </posts> tag"},
		{name: "an element inside a row", tables: map[string]string{"Posts.xml": nested},
			record: "row 1", offset: nth(nested, "<x/>", 1), msg: "a row must be empty; found <x/> inside it"},
		{name: "malformed Users.xml", file: "Users.xml",
			tables: map[string]string{"Posts.xml": ps(q("1", "2"), a("2", "1")), "Users.xml": table("users", row("Id", "1"), "  <row Id=\"2\" DisplayName=\"a<b\" />\n")},
			record: "row 2", msg: "attribute DisplayName contains '<'"},
		{name: "truncated PostHistory.xml", file: "PostHistory.xml",
			tables: map[string]string{"Posts.xml": ps(q("1", "2"), a("2", "1")), "PostHistory.xml": table("posthistory", row("Id", "1", "PostId", "1"))[:60]},
			record: "", msg: "unexpected end of file"},
		{name: "malformed PostLinks.xml", file: "PostLinks.xml",
			tables: map[string]string{"Posts.xml": ps(q("1", "")), "PostLinks.xml": table("postlinks", row("Id", "1", "PostId", "2", "RelatedPostId", "1", "LinkTypeId", "three"))},
			record: "row 1", msg: `attribute LinkTypeId is not an integer`},
	}
	// Offsets the cases above leave to be computed from the written file.
	for i := range cases {
		c := &cases[i]
		if c.file == "" {
			c.file = "Posts.xml"
		}
		if c.offset == 0 && strings.HasPrefix(c.record, "row ") {
			n, _ := strconv.Atoi(strings.TrimPrefix(c.record, "row "))
			c.offset = rowAt(c.tables, c.file, n)
		}
	}
	// The truncated PostHistory.xml ends inside its first row.
	cases[len(cases)-2].offset = 60
	cases[len(cases)-2].record = "row 1"

	// Each case is read in order and in chunks of a few rows (the first
	// pass of a large file): the error must be the same.
	for _, c := range cases {
		for _, chunk := range []int64{0, 97, 400} {
			name := c.name
			if chunk > 0 {
				name += fmt.Sprintf(" (chunks of %d bytes)", chunk)
			}
			t.Run(name, func(t *testing.T) { testBadCase(t, c, chunk) })
		}
	}
}

func testBadCase(t *testing.T, c badCase, chunk int64) {
	dir := dumpDir(t, c.tables)
	d, err := Open(dir, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.chunk = chunk
	var answered int
	err = d.Threads(context.Background(), func(th *forum.Thread) error {
		if th.Answer != nil {
			answered++
		}
		return nil
	})
	checkInputError(t, err, filepath.Join(dir, c.file), c.record, c.offset, c.msg)
	if c.file == "Posts.xml" && answered > 0 {
		t.Errorf("%d threads with an answer were yielded from a damaged Posts.xml", answered)
	}
}

// TestChunkedIndexSameAsInOrder reads every corpus dump in chunks of many
// sizes (down to a few rows, so that boundaries fall everywhere, comments
// included) and requires the very threads, in the same order, of a reading
// in order.
func TestChunkedIndexSameAsInOrder(t *testing.T) {
	dirs, err := filepath.Glob(corpus + "*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "Posts.xml")); err != nil {
			continue
		}
		read := func(chunk int64) []byte {
			d, err := Open(dir, forum.Options{Site: "https://x.stackexchange.com"})
			if err != nil {
				t.Fatal(err)
			}
			d.chunk = chunk
			got, err := readAll(t, d)
			if err != nil {
				t.Fatalf("%s, chunks of %d bytes: %v", dir, chunk, err)
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		want := read(0)
		for _, chunk := range []int64{1, 1000, 4096, 100_000, 1 << 20} {
			if got := read(chunk); !bytes.Equal(got, want) {
				t.Errorf("%s: read in chunks of %d bytes, the threads differ from a reading in order", filepath.Base(dir), chunk)
			}
		}
	}
}

func checkInputError(t *testing.T, err error, path, record string, offset int64, msg string) {
	t.Helper()
	var ie *forum.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v (%T), want a *forum.InputError", err, err)
	}
	if ie.Format != forum.StackExchange || ie.Path != path || ie.Record != record || ie.Offset != offset {
		t.Errorf("InputError{Format: %q, Path: %q, Record: %q, Offset: %d}, want path %q record %q offset %d",
			ie.Format, ie.Path, ie.Record, ie.Offset, path, record, offset)
	}
	s := err.Error()
	for _, part := range []string{filepath.Base(path), record, msg} {
		if !strings.Contains(s, part) {
			t.Errorf("message %q does not contain %q", s, part)
		}
	}
	if offset >= 0 && !strings.Contains(s, fmt.Sprintf("(byte %d)", offset)) {
		t.Errorf("message %q does not name byte %d", s, offset)
	}
	if ie.Hint == "" {
		t.Errorf("no hint in %q", s)
	}
}

func TestMissingAcceptedAnswerIsASkip(t *testing.T) {
	dir := dumpDir(t, map[string]string{"Posts.xml": table("posts", q("1", "99"), a("2", "1"), q("3", "4"), a("4", "3"))})
	d, err := Open(dir, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "1" || got[0].Skip != forum.SkipAcceptedAnswerMissing || got[0].Title != "Question 1" ||
		got[0].Answer != nil || got[1].ID != "3" || got[1].Skip != "" || got[1].Answer.ID != "4" {
		t.Fatalf("got %s", jsonOf(got))
	}
}

// Answers may come before their question in a dump not sorted by Id.
func TestAnswerBeforeItsQuestion(t *testing.T) {
	dir := dumpDir(t, map[string]string{"Posts.xml": table("posts", a("5", "1"), a("4", "1"), q("1", "4"))})
	d, err := Open(dir, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, d)
	if err != nil || len(got) != 1 || got[0].Skip != "" || got[0].Answer.ID != "4" || got[0].Answer.Body != "<p>answer 4</p>\n" {
		t.Fatalf("%v: %s", err, jsonOf(got))
	}
}

func TestBodyLimit(t *testing.T) {
	big := strings.Repeat("word ", 300)
	posts := table("posts", q("1", "2"), a("2", "1", "Body", big))
	dir := dumpDir(t, map[string]string{"Posts.xml": posts})
	d, err := Open(dir, forum.Options{MaxPostBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	_, err = readAll(t, d)
	checkInputError(t, err, filepath.Join(dir, "Posts.xml"), "post 2", nth(posts, "<row ", 2), "the body is 1500 bytes, larger than the 1000-byte limit")
	// The Markdown from PostHistory.xml is held to the same limit.
	hist := table("posthistory", row("Id", "1", "PostHistoryTypeId", "2", "PostId", "1", "CreationDate", "2015-01-27T20:09:32", "Text", big))
	dir = dumpDir(t, map[string]string{"Posts.xml": table("posts", q("1", "2"), a("2", "1")), "PostHistory.xml": hist})
	if d, err = Open(dir, forum.Options{MaxPostBytes: 1000}); err != nil {
		t.Fatal(err)
	}
	_, err = readAll(t, d)
	checkInputError(t, err, filepath.Join(dir, "PostHistory.xml"), "latest body revision of post 1", nth(hist, "<row ", 1), "larger than the 1000-byte limit")
}

func TestOpenErrors(t *testing.T) {
	tmp := t.TempDir()
	missing := filepath.Join(tmp, "nowhere")
	_, err := Open(missing, forum.Options{})
	var ie *forum.InputError
	if !errors.As(err, &ie) || ie.Path != missing || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) || ie.Hint == "" {
		t.Errorf("missing folder: %v", err)
	}

	noPosts := filepath.Join(tmp, "empty.stackexchange.com")
	if err := os.Mkdir(noPosts, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Open(noPosts, forum.Options{})
	if !errors.As(err, &ie) || ie.Path != noPosts || !strings.Contains(err.Error(), "no Posts.xml") {
		t.Errorf("folder without Posts.xml: %v", err)
	}

	// A folder whose name is not a site, and no Site option.
	anon := filepath.Join(tmp, "dump-2015")
	if err := os.Mkdir(anon, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(anon, "Posts.xml"), []byte(table("posts", q("1", ""))), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(anon, forum.Options{})
	if !errors.As(err, &ie) || ie.Path != anon || !strings.Contains(err.Error(), "does not say which site") || !strings.Contains(ie.Hint, "--site") {
		t.Errorf("no site: %v", err)
	}
	if _, err := Open(anon, forum.Options{Site: "https://coffee.stackexchange.com"}); err != nil {
		t.Errorf("with a Site option: %v", err)
	}
	// A folder named after the site needs no option, in any case.
	for _, name := range []string{"Coffee.StackExchange.com", "superuser.com", "meta.stackoverflow.com"} {
		dir := filepath.Join(tmp, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "Posts.xml"), []byte(table("posts")), 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := Open(dir, forum.Options{})
		if err != nil || d.site != "https://"+strings.ToLower(name) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestYieldErrorAndCancel(t *testing.T) {
	d, err := Open(corpus+"coffee-2015", forum.Options{Site: "https://coffee.stackexchange.com"})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	for _, after := range []int{1, 150} { // in the first pass, in the second
		n := 0
		err = d.Threads(context.Background(), func(*forum.Thread) error {
			if n++; n == after {
				return stop
			}
			return nil
		})
		if err != stop || n != after {
			t.Errorf("yield error after %d threads: %v after %d", after, err, n)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Threads(ctx, func(*forum.Thread) error { return nil }); !errors.Is(err, context.Canceled) || forum.IsInput(err) {
		t.Errorf("cancelled: %v", err)
	}
	// Cancelled in the second pass while the next batch is being read: the
	// run stops with the cancellation, and no thread comes after it.
	ctx, cancel = context.WithCancel(context.Background())
	n, late := 0, 0
	err = d.Threads(ctx, func(*forum.Thread) error {
		if ctx.Err() != nil {
			late++
		}
		if n++; n == 150 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n > 150+256 || late > 256 {
		t.Errorf("cancelled after 150 threads: %v after %d (%d after the cancel)", err, n, late)
	}
}

func jsonOf(v any) string {
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b)
}

// Rows far larger than the read-back buffer come back whole in the second
// pass, from Posts.xml and from PostHistory.xml.
func TestLargeRowsReadBack(t *testing.T) {
	html := strings.Repeat("<p>caf\u00e9 & cr\u00e8me \"quoted\"</p>\n", 4000) // ~130 KB, entities when escaped
	md := strings.Repeat("**caf\u00e9** & `code` <tag>\n", 3000)
	dir := dumpDir(t, map[string]string{
		"Posts.xml": table("posts", q("1", "2", "Body", html), a("2", "1", "Body", html+"end")),
		"PostHistory.xml": table("posthistory",
			row("Id", "1", "PostHistoryTypeId", "2", "PostId", "2", "CreationDate", "2015-01-28T10:00:00", "Text", md)),
	})
	d, err := Open(dir, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, d)
	if err != nil || len(got) != 1 {
		t.Fatalf("%v, %d threads", err, len(got))
	}
	th := got[0]
	if th.Question.Body != html || th.Question.Format != forum.HTML {
		t.Errorf("question body: %d bytes %s, want %d bytes of HTML", len(th.Question.Body), th.Question.Format, len(html))
	}
	if th.Answer.Body != md || th.Answer.Format != forum.Markdown {
		t.Errorf("answer body: %d bytes %s, want %d bytes of Markdown", len(th.Answer.Body), th.Answer.Format, len(md))
	}
}

// The accepted pairs wait in a temporary file between the passes; it is
// gone when Threads returns, read to the end or stopped early.
func TestPairsFileLeavesNothing(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	d, err := Open(corpus+"coffee-2015", forum.Options{Site: "https://coffee.stackexchange.com"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, d)
	if err != nil {
		t.Fatal(err)
	}
	solved := 0
	for _, th := range got {
		if th.Answer != nil {
			solved++
		}
	}
	if solved == 0 {
		t.Fatal("no solved thread: the second pass read no pair")
	}
	stop := errors.New("stop")
	n := 0
	err = d.Threads(context.Background(), func(th *forum.Thread) error {
		if th.Answer != nil {
			if n++; n == 2 {
				return stop
			}
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Threads: %v, want the callback's error", err)
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("left in the temporary folder: %s", e.Name())
	}
}
