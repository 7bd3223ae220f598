package kb

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// byFirstByte orders records by their first byte only, so that ties show
// whether the sort is stable.
func byFirstByte(a, b []byte) int {
	switch {
	case len(a) == 0 || len(b) == 0:
		return len(a) - len(b)
	default:
		return int(a[0]) - int(b[0])
	}
}

// readAll reads the records back, twice, and checks both reads agree.
func readAll(t *testing.T, s *sortedRecords) []string {
	t.Helper()
	var got []string
	for pass := range 2 {
		var this []string
		if err := s.each(func(rec []byte) error { this = append(this, string(rec)); return nil }); err != nil {
			t.Fatal(err)
		}
		if pass == 1 && !slices.Equal(got, this) {
			t.Fatalf("second read differs:\n%q\n%q", got, this)
		}
		got = this
	}
	return got
}

func TestSortedRecords(t *testing.T) {
	tests := []struct {
		name   string
		budget int
		in     []string
		want   []string
		runs   int
	}{
		{"empty", 1 << 20, nil, nil, 0},
		{"in memory", 1 << 20, []string{"c1", "a1", "b1", "a2"}, []string{"a1", "a2", "b1", "c1"}, 0},
		{"a run per record", 1, []string{"c1", "a1", "b1", "a2"}, []string{"a1", "a2", "b1", "c1"}, 3},
		{"runs and memory", 5, []string{"b1", "a1", "b2", "a2", "a3", "c1", "b3"}, []string{"a1", "a2", "a3", "b1", "b2", "b3", "c1"}, 3},
		{"empty records", 1, []string{"", "b", "", "a"}, []string{"", "", "a", "b"}, 1},
		{"a record larger than the budget", 3, []string{"zzzzzz", "y", "xxxxxxxx"}, []string{"xxxxxxxx", "y", "zzzzzz"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSortedRecords(t.TempDir(), byFirstByte)
			s.budget = tc.budget
			for _, r := range tc.in {
				s.add([]byte(r))
			}
			if s.len() != len(tc.in) {
				t.Errorf("len %d, want %d", s.len(), len(tc.in))
			}
			got := readAll(t, s)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if len(s.runs) != tc.runs {
				t.Errorf("%d runs on disk, want %d", len(s.runs), tc.runs)
			}
			s.close()
			if err := s.each(func([]byte) error { return nil }); err == nil {
				t.Error("read after close: no error")
			}
		})
	}
}

func TestSortedRecordsLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	s := newSortedRecords(dir, bytes.Compare)
	s.budget = 10
	for i := range 100 {
		s.add(fmt.Appendf(nil, "%03d", 99-i))
	}
	got := readAll(t, s)
	if len(got) != 100 || got[0] != "000" || got[99] != "099" {
		t.Fatalf("got %d records from %q to %q", len(got), got[0], got[len(got)-1])
	}
	assertEmptyDir(t, dir) // unlinked while open
	s.close()
	assertEmptyDir(t, dir)
}

func TestSortedRecordsAddAfterRead(t *testing.T) {
	s := newSortedRecords(t.TempDir(), bytes.Compare)
	s.add([]byte("a"))
	readAll(t, s)
	s.add([]byte("b"))
	if err := s.each(func([]byte) error { return nil }); err == nil || !strings.Contains(err.Error(), "after reading") {
		t.Fatalf("add after read: %v", err)
	}
}

func TestSortedRecordsStopsOnError(t *testing.T) {
	s := newSortedRecords(t.TempDir(), bytes.Compare)
	s.budget = 2
	for _, r := range []string{"c", "b", "a"} {
		s.add([]byte(r))
	}
	stop := fmt.Errorf("stop")
	n := 0
	if err := s.each(func([]byte) error { n++; return stop }); err != stop || n != 1 {
		t.Fatalf("each returned %v after %d records", err, n)
	}
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) > 0 {
		t.Fatalf("%s holds %d files, the first %s", dir, len(entries), entries[0].Name())
	}
}

// FuzzSortedRecords holds the external sort to a stable in-memory sort,
// whatever the budget, and so whatever the number of runs.
func FuzzSortedRecords(f *testing.F) {
	f.Add([]byte("b1\na1\nb2\n\na2"), uint8(3))
	f.Add([]byte("zz\ny\nxxxx\nw"), uint8(1))
	f.Add([]byte(""), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, budget uint8) {
		in := bytes.Split(data, []byte("\n"))
		s := newSortedRecords(t.TempDir(), byFirstByte)
		s.budget = int(budget)
		for _, r := range in {
			s.add(r)
		}
		want := make([]string, len(in))
		for i, r := range in {
			want[i] = string(r)
		}
		slices.SortStableFunc(want, func(a, b string) int { return byFirstByte([]byte(a), []byte(b)) })
		if got := readAll(t, s); !slices.Equal(got, want) {
			t.Fatalf("budget %d:\ngot  %q\nwant %q", budget, got, want)
		}
		s.close()
	})
}
