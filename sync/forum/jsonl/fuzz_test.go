package jsonl

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/kbsync/kbsync/sync/forum"
)

func FuzzJSONL(f *testing.F) {
	for _, s := range []string{
		`{"id":"42","title":"How?","question":{"body":"b","format":"markdown","author":"a","created":"2024-03-01T10:00:00Z"},"answer":{"id":"43","body":"<p>x</p>","format":"html","author":"b","created":"2024-03-01T11:00:00Z","accepted_at":"2024-03-02T09:00:00Z"}}` + "\n" +
			`{"id":44,"title":"t","question":{"body":"","format":"markdown","author":"","created":"2024-03-05T08:00:00Z"},"status":"private"}`,
		`{"id":"1","title":"t","question":{"body":"b","format":"markdown","author":"a","created":"2024-01-01T00:00:00Z"},"replies":[{"body":"r","format":"html","author":"c","created":"2024-01-01T00:00:00Z"}],"duplicates":[{"id":2}],"tags":["a"]}`,
		"\xef\xbb\xbf\r\n\n{}\n",
		`{"id":"1","title":"t","question":{"body":"b","format":"markdown","author":"a","created":"2024-01-01T00:00:00Z"},"solutions":[{"id":3,"body":"s","format":"markdown","author":"a","created":"2024-01-01T00:00:00Z"}]}`,
		`{"id":1}{"id":2}`,
		`[1,2]`, ``, "\n\n", `{"id":"1","x":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sniffPrefix(data)
		opts := forum.Options{MaxPostBytes: 4096}
		ids := map[string]bool{}
		err := readStream(context.Background(), "fuzz.jsonl", bytes.NewReader(data), opts, map[string]string{}, map[string]string{}, func(th *forum.Thread) error {
			if th.ID == "" || th.Title == "" || th.Source != forum.JSONL || th.Question.Author == "" {
				t.Fatalf("bad thread: %+v", th)
			}
			if ids[th.ID] {
				t.Fatalf("id %q yielded twice", th.ID)
			}
			ids[th.ID] = true
			if (th.Answer == nil && th.Skip == "") || (th.Status != forum.Public && th.Skip == "") {
				t.Fatalf("thread that cannot be published has no Skip: %+v", th)
			}
			if th.Answer != nil && th.Answer.ID == "" {
				t.Fatalf("answer without id: %+v", th.Answer)
			}
			return nil
		})
		if err != nil {
			var ie *forum.InputError
			if !errors.As(err, &ie) || ie.Path != "fuzz.jsonl" || ie.Record == "" {
				t.Fatalf("error is not an InputError naming file and line: %#v", err)
			}
		}
	})
}
