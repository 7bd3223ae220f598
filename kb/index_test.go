package kb

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// writeIndexFile writes entries with indexWriter and returns the bytes.
func writeIndexFile(t testing.TB, entries []*index.Entry) ([]byte, error) {
	t.Helper()
	extended := false
	for _, e := range entries {
		extended = extended || e.IntentToAdd || e.SkipWorktree
	}
	name := filepath.Join(t.TempDir(), "index")
	w, err := newIndexWriter(name, len(entries), extended)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := w.add(e); err != nil {
			w.abort()
			return nil, err
		}
	}
	if err := w.finish(); err != nil {
		return nil, err
	}
	return os.ReadFile(name)
}

// goGitIndex encodes entries with go-git's encoder, the reference.
func goGitIndex(t testing.TB, entries []*index.Entry, version uint32) []byte {
	t.Helper()
	var b bytes.Buffer
	idx := &index.Index{Version: version, Entries: append([]*index.Entry(nil), entries...)}
	if err := index.NewEncoder(&b).Encode(idx); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestIndexWriterMatchesGoGit(t *testing.T) {
	at := time.Unix(1700000000, 123456789)
	h := plumbing.NewHash("0123456789abcdef0123456789abcdef01234567")
	entry := func(name string) *index.Entry {
		return &index.Entry{Name: name, Hash: h, Mode: filemode.Regular, Size: 1234, ModifiedAt: at, CreatedAt: at.Add(-time.Hour),
			Dev: 2049, Inode: 77, UID: 1000, GID: 100}
	}
	tests := []struct {
		name    string
		entries []*index.Entry
		version uint32
	}{
		{"empty", nil, 2},
		{"one", []*index.Entry{entry("faq/a.md")}, 2},
		{"every padding length", func() []*index.Entry {
			var es []*index.Entry
			for n := 1; n <= 9; n++ {
				es = append(es, entry(strings.Repeat("x", n)))
			}
			return es
		}(), 2},
		{"zero times and an executable", []*index.Entry{{Name: "run.sh", Hash: h, Mode: filemode.Executable}}, 2},
		{"a name longer than the flags hold", []*index.Entry{entry(strings.Repeat("n", 0x1000+3))}, 2},
		{"conflict stages", []*index.Entry{
			{Name: "c.md", Hash: h, Mode: filemode.Regular, Stage: index.AncestorMode},
			{Name: "c.md", Hash: h, Mode: filemode.Regular, Stage: index.OurMode},
			{Name: "c.md", Hash: h, Mode: filemode.Regular, Stage: index.TheirMode},
		}, 2},
		{"extended flags", []*index.Entry{entry("a"), {Name: "b", Hash: h, Mode: filemode.Regular, IntentToAdd: true},
			{Name: "c", Hash: h, Mode: filemode.Regular, SkipWorktree: true}}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := writeIndexFile(t, tt.entries)
			if err != nil {
				t.Fatal(err)
			}
			want := goGitIndex(t, tt.entries, tt.version)
			if !bytes.Equal(got, want) {
				t.Fatalf("index differs from go-git's:\n got %x\nwant %x", got, want)
			}
			dec := &index.Index{}
			if err := index.NewDecoder(bytes.NewReader(got)).Decode(dec); err != nil {
				t.Fatalf("go-git cannot read it back: %v", err)
			}
			if len(dec.Entries) != len(tt.entries) {
				t.Fatalf("read back %d entries, wrote %d", len(dec.Entries), len(tt.entries))
			}
		})
	}
}

func TestIndexWriterCountMismatch(t *testing.T) {
	e := &index.Entry{Name: "a", Mode: filemode.Regular}
	name := filepath.Join(t.TempDir(), "index")
	w, err := newIndexWriter(name, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.add(e); err != nil {
		t.Fatal(err)
	}
	if err := w.finish(); err == nil {
		t.Fatal("finish accepted fewer entries than announced")
	}
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Fatalf("a short index was left behind: %v", err)
	}
	w, _ = newIndexWriter(name, 0, false)
	if err := w.add(e); err == nil {
		t.Fatal("add accepted more entries than announced")
	}
	w.abort()
	w, _ = newIndexWriter(name, 1, false)
	if err := w.add(&index.Entry{Name: "b", SkipWorktree: true}); err == nil {
		t.Fatal("a version 2 index took extended flags")
	}
	w.abort()
}

// FuzzIndexWriter holds the writer to go-git's encoder byte for byte.
func FuzzIndexWriter(f *testing.F) {
	f.Add("faq/a.md\x00faq/b.md", int64(1700000000), int64(5), uint32(10), uint8(0))
	f.Add("x", int64(-1), int64(0), uint32(0), uint8(7))
	f.Fuzz(func(t *testing.T, names string, sec, nsec int64, size uint32, bits uint8) {
		seen := map[string]bool{}
		var entries []*index.Entry
		for i, n := range strings.Split(names, "\x00") {
			if n == "" || seen[n] { // unique names: any sort gives one order
				continue
			}
			seen[n] = true
			e := &index.Entry{Name: n, Mode: filemode.Regular, Size: size + uint32(i), ModifiedAt: time.Unix(sec, nsec),
				Hash: plumbing.ComputeHash(plumbing.BlobObject, []byte(n))}
			e.IntentToAdd, e.SkipWorktree = bits&1 != 0 && i%2 == 0, bits&2 != 0 && i%3 == 0
			e.Stage = index.Stage(bits>>2) & 3
			entries = append(entries, e)
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
		version := uint32(2)
		for _, e := range entries {
			if e.IntentToAdd || e.SkipWorktree {
				version = 3
			}
		}
		if t := time.Unix(sec, nsec); t.Unix() < 0 || t.UnixNano() < 0 {
			for _, e := range entries {
				e.ModifiedAt = time.Time{} // go-git refuses these; the writer stores zero
			}
		}
		got, err := writeIndexFile(t, entries)
		if err != nil {
			t.Fatal(err)
		}
		if want := goGitIndex(t, entries, version); !bytes.Equal(got, want) {
			t.Fatalf("index differs from go-git's:\n got %x\nwant %x", got, want)
		}
	})
}
