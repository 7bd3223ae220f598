package discourse

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/kbsync/kbsync/sync/forum"
)

func parseRaw(t *testing.T, in string, limit int) ([]rawBlock, error) {
	t.Helper()
	var got []rawBlock
	err := parseRawMD(strings.NewReader(in), limit, func(b rawBlock) error {
		got = append(got, b)
		return nil
	})
	return got, err
}

func block(user, n, body string) string {
	return user + " | 2021-02-02 00:00:00 UTC | #" + n + "\n\n" + body + "\n\n-------------------------\n\n"
}

func TestParseRawMD(t *testing.T) {
	type want struct {
		n    int
		user string
		body string
	}
	tests := []struct {
		name string
		in   string
		want []want
	}{
		{
			name: "plain blocks",
			in:   block("ann", "1", "Question?\n\nMore.") + block("bob", "2", "Answer."),
			want: []want{{1, "ann", "Question?\n\nMore."}, {2, "bob", "Answer."}},
		},
		{
			name: "empty body (small action post)",
			in:   block("ann", "1", "Q") + block("weitjong", "4", ""),
			want: []want{{1, "ann", "Q"}, {4, "weitjong", ""}},
		},
		{
			name: "a dashes line inside a post",
			in:   block("ann", "1", "Title\n-------------------------\n\ntext\n\n-------------------------\n\nstill ann") + block("bob", "2", "B"),
			want: []want{{1, "ann", "Title\n-------------------------\n\ntext\n\n-------------------------\n\nstill ann"}, {2, "bob", "B"}},
		},
		{
			name: "a quoted dump with an older post number is text",
			in:   block("ann", "3", "I pasted:\n\n-------------------------\n\nbob | 2020-10-22 01:38:38 UTC | #2\n\nold") + block("bob", "4", "B"),
			want: []want{{3, "ann", "I pasted:\n\n-------------------------\n\nbob | 2020-10-22 01:38:38 UTC | #2\n\nold"}, {4, "bob", "B"}},
		},
		{
			name: "CRLF and no final blank line",
			in:   strings.ReplaceAll(block("ann", "1", "a\nb"), "\n", "\r\n") + "bob | 2021-02-02 00:00:00 UTC | #2\r\n\r\nB\r\n\r\n-------------------------",
			want: []want{{1, "ann", "a\nb"}, {2, "bob", "B"}},
		},
		{
			name: "leading blank lines",
			in:   "\n\n" + block("ann", "1", "Q"),
			want: []want{{1, "ann", "Q"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRaw(t, tt.in, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d blocks, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.number != w.n || g.user != w.user || g.body != w.body {
					t.Errorf("block %d = #%d %q %q, want #%d %q %q", i, g.number, g.user, g.body, w.n, w.user, w.body)
				}
			}
		})
	}
}

func TestParseRawMDErrors(t *testing.T) {
	var ie *forum.InputError
	if _, err := parseRaw(t, "# Not a dump\n", 100); !errors.As(err, &ie) || ie.Offset != 0 {
		t.Errorf("not a dump: err = %v", err)
	}
	_, err := parseRaw(t, block("ann", "1", strings.Repeat("x", 500)), 100)
	if !errors.As(err, &ie) || ie.Record != "#1" {
		t.Errorf("too large: err = %v", err)
	}
}

// TestParseRawMDCorpus checks the real dumps against an independent split
// on the exact separator Discourse writes.
func TestParseRawMDCorpus(t *testing.T) {
	for _, name := range []string{
		"1-byte-per-pixel-8bpp-texture-support-e-g-luminance.6454.raw.md",
		"2d-artefacts-solved.1025.raw.md",
		"how-to-scale-a-sprite2d-in-urho3d-without-rescaling-the-entire-node.3785.raw.md",
	} {
		data, err := os.ReadFile(urhoDir + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(strings.TrimSuffix(string(data), "\n\n-------------------------\n\n"), "\n\n-------------------------\n\n")
		got, err := parseRaw(t, string(data), 1<<20)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != len(parts) {
			t.Fatalf("%s: %d blocks, want %d", name, len(got), len(parts))
		}
		for i, part := range parts {
			header, body, _ := strings.Cut(part, "\n\n")
			if !strings.HasSuffix(header, " | #"+itoa(got[i].number)) || !strings.HasPrefix(header, got[i].user+" | ") {
				t.Errorf("%s block %d: header %q, parsed #%d %q", name, i, header, got[i].number, got[i].user)
			}
			if got[i].body != body {
				t.Errorf("%s block %d: body %q, want %q", name, i, got[i].body, body)
			}
		}
	}
}
