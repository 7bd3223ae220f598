package kb

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
)

// DuplicateError says that the exports hold one thread twice.
type DuplicateError struct{ ID Identity }

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("kb: thread %s appears twice in the exports", e.ID)
}

// seenSet finds identities given twice. A map of every thread read (a
// million solved threads come with two million unsolved ones in a Stack
// Exchange dump) held ~65 MB; the identities go into an external sort
// instead, checked once reading is over, before anything is written.
type seenSet struct {
	sorted  *sortedRecords
	rec     []byte
	checked bool
}

// A seen record is the MD5 of the identity, which alone orders and
// compares them, then the identity to name in an error.
const seenKey = md5.Size

func newSeenSet(dir string) *seenSet {
	return &seenSet{sorted: newSortedRecords(dir, func(a, b []byte) int { return bytes.Compare(a[:seenKey], b[:seenKey]) })}
}

func (s *seenSet) add(id Identity) {
	var key [seenKey]byte
	s.rec = append(s.rec[:0], key[:]...)
	s.rec = appendString(s.rec, id.Source)
	s.rec = appendString(s.rec, id.Site)
	s.rec = appendString(s.rec, id.ID)
	// The fields with their lengths, unlike Identity.String, which writes
	// jsonl:x:1 for the id "x:1" and for the id "1" of the site "x".
	key = md5.Sum(s.rec[seenKey:])
	copy(s.rec, key[:])
	s.sorted.add(s.rec)
}

// check returns a *DuplicateError for the first identity (in MD5 order)
// that was added twice, then releases the records.
func (s *seenSet) check() error {
	if s.checked {
		return nil
	}
	s.checked = true
	defer s.sorted.close()
	var prev [seenKey]byte
	first := true
	err := s.sorted.each(func(rec []byte) error {
		if len(rec) < seenKey {
			return errRecord
		}
		if !first && bytes.Equal(prev[:], rec[:seenKey]) {
			var id Identity
			rest := rec[seenKey:]
			var ok bool
			if id.Source, rest, ok = readString(rest); ok {
				if id.Site, rest, ok = readString(rest); ok {
					id.ID, _, ok = readString(rest)
				}
			}
			if !ok {
				return errRecord
			}
			return &DuplicateError{ID: id}
		}
		first = false
		copy(prev[:], rec)
		return nil
	})
	if err != nil {
		if dup := (*DuplicateError)(nil); errors.As(err, &dup) {
			return err
		}
		return fmt.Errorf("kb: threads seen: %w", err)
	}
	return nil
}
