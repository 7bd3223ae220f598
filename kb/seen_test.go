package kb

import (
	"errors"
	"fmt"
	"testing"
)

func TestSeenSet(t *testing.T) {
	se := func(site, id string) Identity { return Identity{Source: "stackexchange", Site: site, ID: id} }
	tests := []struct {
		name   string
		budget int // 0: the default, all in memory
		in     []Identity
		dup    *Identity
	}{
		{"none", 0, nil, nil},
		{"distinct", 0, []Identity{se("a", "1"), se("a", "2"), se("b", "1"), {Source: "jsonl", ID: "1"}}, nil},
		{"twice in memory", 0, []Identity{se("a", "1"), se("a", "2"), se("a", "1")}, &Identity{"stackexchange", "a", "1"}},
		{"twice across runs", 1, []Identity{se("a", "7"), se("b", "3"), se("a", "9"), se("b", "3"), se("a", "8")}, &Identity{"stackexchange", "b", "3"}},
		{"same id, other site", 1, []Identity{se("a", "1"), se("b", "1")}, nil},
		{"an id that reads like another identity", 1, []Identity{{Source: "jsonl", ID: "x:1"}, {Source: "jsonl", Site: "x", ID: "1"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSeenSet(t.TempDir())
			if tc.budget > 0 {
				s.sorted.budget = tc.budget
			}
			for _, id := range tc.in {
				s.add(id)
			}
			err := s.check()
			var dup *DuplicateError
			switch {
			case tc.dup == nil && err != nil:
				t.Fatalf("check: %v", err)
			case tc.dup != nil && !errors.As(err, &dup):
				t.Fatalf("check: %v, want a duplicate", err)
			case tc.dup != nil && dup.ID != *tc.dup:
				t.Fatalf("duplicate %v, want %v", dup.ID, *tc.dup)
			}
			if err := s.check(); err != nil {
				t.Fatalf("a second check: %v (the first one released the records)", err)
			}
		})
	}
}

// A thousand identities with one repeated far apart, through on-disk runs.
func TestSeenSetMany(t *testing.T) {
	s := newSeenSet(t.TempDir())
	s.sorted.budget = 4096
	for i := range 1000 {
		s.add(Identity{Source: "discourse", Site: "forum.example.com", ID: fmt.Sprint(i)})
	}
	s.add(Identity{Source: "discourse", Site: "forum.example.com", ID: "17"})
	if len(s.sorted.runs) < 2 {
		t.Fatalf("%d runs on disk; the test means to cross several", len(s.sorted.runs))
	}
	var dup *DuplicateError
	if err := s.check(); !errors.As(err, &dup) || dup.ID.ID != "17" {
		t.Fatalf("check: %v, want thread 17 twice", err)
	}
}
