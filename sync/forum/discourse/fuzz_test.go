package discourse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/kbsync/kbsync/sync/forum"
)

// FuzzTopic feeds random bytes as a topic file: the reader must never
// panic, every error must be an *InputError naming the file, and every
// thread must keep the model's invariants.
func FuzzTopic(f *testing.F) {
	for _, name := range []string{
		filepath.Join(urhoDir, "how-to-scale-a-sprite2d-in-urho3d-without-rescaling-the-entire-node.3785.json"),
		filepath.Join(urhoDir, "2d-artefacts-solved.1025.json"),
	} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	tp := baseTopic()
	tp["accepted_answer"] = map[string]any{"post_number": 2}
	postN(tp, 3)["accepted_answer"] = true
	postN(tp, 1)["raw"] = "[quote=\"a\"]\nq\n[/quote]\n![x|1x1](upload://a.png)"
	b, _ := json.Marshal(tp)
	f.Add(b)
	tp["archetype"] = "private_message"
	b, _ = json.Marshal(tp)
	f.Add(b)
	f.Add([]byte(`{"id":1,"post_stream":{"posts":[{"id":1,"post_number":1}]}}`))
	f.Add([]byte(`{"id":1,"post_stream":{"posts":[{"id":1,"post_number":1},{"id":1,"post_number":2}]}}`))
	f.Add([]byte("\xef\xbb\xbf{\"id\":1}"))

	dir := f.TempDir()
	path := filepath.Join(dir, "fuzz.json")
	e := &Export{opts: forum.Options{Site: site, MaxPostBytes: 1 << 16}}
	f.Fuzz(func(t *testing.T, data []byte) {
		tp, err := parseTopic(context.Background(), bytes.NewReader(data), path, e.opts.PostLimit())
		var th *forum.Thread
		if err == nil {
			th, err = e.build(tp, path)
		}
		if err != nil {
			var ie *forum.InputError
			if !errors.As(err, &ie) || ie.Path != path || ie.Err == nil {
				t.Fatalf("error %v (%T) is not an InputError for the file", err, err)
			}
			return
		}
		if th.Source != forum.Discourse || th.ID == "" {
			t.Fatalf("thread without source or id: %+v", th)
		}
		if th.Status != forum.Public {
			if th.Skip == "" || th.Title != "" || th.URL != "" || th.Question.Body != "" || th.Answer != nil || th.Replies != nil {
				t.Fatalf("non-public thread carries content: %+v", th)
			}
			return
		}
		if (th.Answer == nil) != (th.Skip != "") || (len(th.Solutions) > 0 && th.Answer == nil) {
			t.Fatalf("answer %v with skip %q", th.Answer, th.Skip)
		}
		if len(th.Replies) > 0 && th.Skip != forum.SkipNoAcceptedAnswer {
			t.Fatalf("replies with skip %q", th.Skip)
		}
		all := append([]forum.Post{th.Question}, th.Replies...)
		all = append(all, th.Solutions...)
		if th.Answer != nil {
			all = append(all, *th.Answer)
			if th.Answer.ID == th.Question.ID {
				t.Fatal("the question is its own answer")
			}
		}
		for _, p := range all {
			if p.Author == "" || !utf8.ValidString(p.Body) || (p.Format != forum.HTML && p.Format != forum.Markdown) {
				t.Fatalf("bad post %+v", p)
			}
		}
	})
}
