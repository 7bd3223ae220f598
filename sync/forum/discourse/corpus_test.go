package discourse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/kbsync/kbsync/sync/forum"
)

const (
	urhoDir    = "../../../testdata/corpus/discourse/urho3d"
	mozillaDir = "../../../testdata/corpus/discourse/mozilla-community"
)

// expected is what a test computes from a topic file on its own, by
// decoding it into generic maps.
type expected struct {
	id, title, questionID string
	skip                  string
	answerID              string
	solutionIDs           []string
	replyIDs              []string
	sizeTexts             []string // Discourse's image size captions
	rawQuestion           string   // block #1 of the .raw.md, if any
}

var informations = regexp.MustCompile(`<span class="informations">([^<]+)</span>`)

func expect(t *testing.T, file string) expected {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var topic map[string]any
	if err := dec.Decode(&topic); err != nil {
		t.Fatal(err)
	}
	ex := expected{id: topic["id"].(json.Number).String(), title: topic["title"].(string)}
	var accepted []int
	if aa, ok := topic["accepted_answer"].(map[string]any); ok {
		n, _ := aa["post_number"].(json.Number).Int64()
		accepted = append(accepted, int(n))
	}
	byNumber := map[int]map[string]any{}
	var numbers []int
	for _, p := range topic["post_stream"].(map[string]any)["posts"].([]any) {
		p := p.(map[string]any)
		n64, _ := p["post_number"].(json.Number).Int64()
		n := int(n64)
		byNumber[n] = p
		numbers = append(numbers, n)
		if p["accepted_answer"] == true {
			accepted = append(accepted, n)
		}
		for _, m := range informations.FindAllStringSubmatch(p["cooked"].(string), -1) {
			ex.sizeTexts = append(ex.sizeTexts, m[1])
		}
	}
	sort.Ints(numbers)
	sort.Ints(accepted)
	ex.questionID = byNumber[1]["id"].(json.Number).String()
	visible := func(p map[string]any) bool {
		return p != nil && p["post_type"].(json.Number).String() == "1" && p["deleted_at"] == nil &&
			p["hidden"] != true && p["user_deleted"] != true
	}
	switch {
	case len(accepted) == 0:
		ex.skip = forum.SkipNoAcceptedAnswer
		for _, n := range numbers {
			if n != 1 && visible(byNumber[n]) {
				ex.replyIDs = append(ex.replyIDs, byNumber[n]["id"].(json.Number).String())
			}
		}
	default:
		seen := map[int]bool{}
		for _, n := range accepted {
			if seen[n] {
				continue
			}
			seen[n] = true
			p := byNumber[n]
			if !visible(p) {
				ex.skip, ex.answerID, ex.solutionIDs = forum.SkipAcceptedAnswerMissing, "", nil
				break
			}
			if ex.answerID == "" {
				ex.answerID = p["id"].(json.Number).String()
			} else {
				ex.solutionIDs = append(ex.solutionIDs, p["id"].(json.Number).String())
			}
		}
	}
	if raw, err := os.ReadFile(strings.TrimSuffix(file, ".json") + ".raw.md"); err == nil {
		first, _, _ := strings.Cut(string(raw), "\n\n-------------------------\n\n")
		_, ex.rawQuestion, _ = strings.Cut(first, "\n\n")
	}
	return ex
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("../../../testdata/corpus/discourse/*/*.json")
	if err != nil || len(files) != 4 {
		t.Fatalf("corpus files: %v %v", files, err)
	}
	want := map[string]expected{}
	for _, f := range files {
		ex := expect(t, f)
		want[ex.id] = ex
	}
	// The corpus holds one topic of each kind; make sure of it, so that the
	// comparisons below cover them all.
	kinds := map[string]int{}
	for _, ex := range want {
		kinds[ex.skip]++
	}
	if kinds[""] != 2 || kinds[forum.SkipNoAcceptedAnswer] != 2 {
		t.Fatalf("corpus kinds changed: %v", kinds)
	}

	remnants := regexp.MustCompile(`lightbox|avatar|class=|data-[a-z-]+=|\d+(?:\.\d+)?\s?KB\b|\d+×\d+|\|\d+x\d+\]|upload://|="/[^/]`)
	for _, dir := range []string{urhoDir, mozillaDir} {
		ths, err := readAll(dir, forum.Options{Site: "https://forum.example.org"})
		if err != nil {
			t.Fatal(err)
		}
		for _, th := range ths {
			ex, ok := want[th.ID]
			if !ok {
				t.Errorf("unexpected thread %s", th.ID)
				continue
			}
			delete(want, th.ID)
			t.Run(th.ID, func(t *testing.T) {
				if th.Title != ex.title || th.Question.ID != ex.questionID || th.Skip != ex.skip || th.Status != forum.Public {
					t.Errorf("title %q question %s skip %q status %q; want %q %s %q", th.Title, th.Question.ID, th.Skip, th.Status,
						ex.title, ex.questionID, ex.skip)
				}
				gotAnswer := ""
				if th.Answer != nil {
					gotAnswer = th.Answer.ID
				}
				if gotAnswer != ex.answerID || strings.Join(ids(th.Solutions), ",") != strings.Join(ex.solutionIDs, ",") {
					t.Errorf("answer %q solutions %v; want %q %v", gotAnswer, ids(th.Solutions), ex.answerID, ex.solutionIDs)
				}
				if strings.Join(ids(th.Replies), ",") != strings.Join(ex.replyIDs, ",") {
					t.Errorf("replies %v; want %v", ids(th.Replies), ex.replyIDs)
				}
				if ex.rawQuestion != "" && bbcodeLike(ex.rawQuestion) && th.Question.Format != forum.HTML {
					t.Errorf("question with BBCode in .raw.md is %q, want the cooked HTML", th.Question.Format)
				}
				if ex.rawQuestion != "" && !bbcodeLike(ex.rawQuestion) {
					wantBody := strings.ReplaceAll(ex.rawQuestion, "upload://", "https://forum.example.org/uploads/short-url/")
					wantBody = regexp.MustCompile(`\|\d+x\d+\]`).ReplaceAllString(wantBody, "]")
					if th.Question.Format != forum.Markdown || th.Question.Body != wantBody {
						t.Errorf("question from .raw.md: %q %q\nwant %q", th.Question.Format, th.Question.Body, wantBody)
					}
				}
				all := append([]forum.Post{th.Question}, th.Replies...)
				all = append(all, th.Solutions...)
				if th.Answer != nil {
					all = append(all, *th.Answer)
				}
				for _, p := range all {
					if strings.TrimSpace(p.Body) == "" || p.Author == "" || p.Created.IsZero() {
						t.Errorf("post %s: empty body, author or date", p.ID)
					}
					if m := remnants.FindString(p.Body); m != "" {
						t.Errorf("post %s (%s) keeps Discourse chrome %q", p.ID, p.Format, m)
					}
					for _, s := range ex.sizeTexts {
						if strings.Contains(p.Body, s) {
							t.Errorf("post %s keeps the image caption %q", p.ID, s)
						}
					}
					if p.Format == forum.HTML && CleanCooked(p.Body, "https://forum.example.org") != p.Body {
						t.Errorf("post %s: CleanCooked is not idempotent on it", p.ID)
					}
				}
			})
		}
	}
	if len(want) != 0 {
		t.Errorf("threads not yielded: %v", want)
	}
}

// bbcodeLike is the test's own rough check for Discourse BBCode.
func bbcodeLike(s string) bool {
	return regexp.MustCompile(`\[/?(img|url|code|quote)`).MatchString(s)
}

// TestCorpusAcceptedAnswerPaginated: the mozilla topic lists 22 post ids
// but holds 20 posts. Marking the 22nd post accepted must give "missing",
// never another post.
func TestCorpusAcceptedAnswerPaginated(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(mozillaDir, "discourse_topic_1148.json"))
	if err != nil {
		t.Fatal(err)
	}
	var topic map[string]json.RawMessage
	if err := json.Unmarshal(data, &topic); err != nil {
		t.Fatal(err)
	}
	var ps struct {
		Posts  []json.RawMessage `json:"posts"`
		Stream []int             `json:"stream"`
	}
	if err := json.Unmarshal(topic["post_stream"], &ps); err != nil {
		t.Fatal(err)
	}
	if len(ps.Stream) <= len(ps.Posts) {
		t.Fatalf("sample is not paginated: %d ids, %d posts", len(ps.Stream), len(ps.Posts))
	}
	topic["accepted_answer"] = json.RawMessage(`{"post_number":22,"username":"x","excerpt":"y"}`)
	b, err := json.Marshal(topic)
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, t.TempDir(), "1148.json", string(b))
	ths, err := readAll(path, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if th := ths[0]; th.Skip != forum.SkipAcceptedAnswerMissing || th.Answer != nil {
		t.Errorf("skip %q answer %v", th.Skip, th.Answer)
	}
}

// TestCorpusMergedPages merges a topic with itself, as the archive script
// does for multi-page topics: duplicates are tolerated.
func TestCorpusMergedPages(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(urhoDir, "1-byte-per-pixel-8bpp-texture-support-e-g-luminance.6454.json"))
	if err != nil {
		t.Fatal(err)
	}
	var topic map[string]any
	if err := json.Unmarshal(data, &topic); err != nil {
		t.Fatal(err)
	}
	ps := topic["post_stream"].(map[string]any)
	posts := ps["posts"].([]any)
	ps["posts"] = append(append([]any{}, posts[6:]...), posts...) // a later page first, then all
	b, _ := json.Marshal(topic)
	path := writeFile(t, t.TempDir(), "merged.json", string(b))
	ths, err := readAll(path, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ths[0].Answer == nil || ths[0].Answer.ID != "39354" {
		t.Errorf("answer %+v", ths[0].Answer)
	}
}

func TestCorpusTruncatedEverywhere(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(urhoDir, "how-to-scale-a-sprite2d-in-urho3d-without-rescaling-the-entire-node.3785.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for cut := 0; cut < len(data)-1; cut += 97 {
		path := writeFile(t, dir, "cut.json", string(data[:cut]))
		e, err := Open(path, forum.Options{})
		if err != nil {
			t.Fatal(err)
		}
		yielded := false
		err = e.Threads(context.Background(), func(*forum.Thread) error { yielded = true; return nil })
		var ie *forum.InputError
		if !errors.As(err, &ie) || yielded || ie.Path != path {
			t.Fatalf("cut at %d: err %v yielded %v", cut, err, yielded)
		}
	}
}
