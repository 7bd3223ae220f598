package github

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/kbsync/kbsync/sync/forum"
)

func FuzzDiscussions(f *testing.F) {
	fixture, err := os.ReadFile("testdata/paginate.json")
	if err != nil {
		f.Fatal(err)
	}
	corpus, err := os.ReadFile(filepath.Join(corpusDir, "discussions.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(fixture),
		string(fixture[:len(fixture)/2]),
		string(corpus[:4096]) + "]",
		`[` + nodeA + `,` + nodeB + `]`,
		nodeA + "\n" + nodeB,
		`{"data":{"repository":{"discussions":{"edges":[{"node":` + nodeA + `}]}}}}`,
		`[{"data":{"repository":{"discussion":` + nodeB + `}}}]`,
		`{"errors":[{"message":"x"}]}`,
		`[{"id":1,"title":"t","createdAt":"2024-01-01T00:00:00Z","bodyHTML":"<div class=\"highlight highlight-source-js\"><pre><span>x</span></pre></div>","labels":["a"],"comments":[{"body":"c"}]}]`,
		`[{"number":1,"title":"t","createdAt":"2024-01-01T00:00:00Z","answer":{"id":"a","url":"https://github.com/o/r/discussions/2"}}]`,
		`[]`, `{}`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sniffPrefix(data)
		opts := forum.Options{MaxPostBytes: 1 << 16}
		err := decodeStream(context.Background(), "fuzz.json", bytes.NewReader(data), opts, map[string]string{}, func(th *forum.Thread) error {
			if th.ID == "" || th.Source != forum.GitHub || th.Question.Author == "" {
				t.Fatalf("bad thread: %+v", th)
			}
			if th.Answer != nil && (th.Answer.ID == "" || th.Answer.Author == "" || th.Skip != "") {
				t.Fatalf("bad answer: %+v skip %q", th.Answer, th.Skip)
			}
			if th.Answer == nil && th.Skip == "" {
				t.Fatalf("unanswered thread without Skip: %+v", th)
			}
			return nil
		})
		if err != nil {
			var ie *forum.InputError
			if !errors.As(err, &ie) || ie.Path != "fuzz.json" {
				t.Fatalf("error is not an InputError naming the file: %#v", err)
			}
		}
	})
}
