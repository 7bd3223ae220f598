package kb

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
)

// spill keeps a plan's new articles on disk until the commit gives them
// their paths: a first sync of 100,000 threads held ~60 MB of them in the
// heap for the whole run (a million: 600 MB). Only a 24-byte reference per
// article stays in memory, pointer-free, so the collector never scans it.
type spill struct {
	dir  string // where the file goes; "" is the system's temporary folder
	f    *os.File
	w    *bufio.Writer
	off  int64
	refs []spillRef
	buf  []byte
}

type spillRef struct {
	seq int
	off int64
	n   int
}

// spillPrefix names the file like a temporary pack, so that the next run
// removes it (cleanStalePacks) if this one is killed.
const spillPrefix = tmpPackPrefix + "articles-"

func (s *spill) put(a *Article) error {
	if s.f == nil {
		f, err := os.CreateTemp(s.dir, spillPrefix+"*")
		if err != nil {
			return fmt.Errorf("kb: new articles: %w", err)
		}
		s.f, s.w = f, bufio.NewWriterSize(f, 256<<10)
	}
	s.buf = appendArticle(s.buf[:0], a)
	if _, err := s.w.Write(s.buf); err != nil {
		return fmt.Errorf("kb: new articles: %w", err)
	}
	s.refs = append(s.refs, spillRef{seq: a.Seq, off: s.off, n: len(s.buf)})
	s.off += int64(len(s.buf))
	return nil
}

func (s *spill) len() int { return len(s.refs) }

// each hands back the articles in export order (Seq; equal ones in the
// order they were put), then removes the file.
func (s *spill) each(fn func(a *Article)) error {
	defer s.close()
	if len(s.refs) == 0 {
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("kb: new articles: %w", err)
	}
	slices.SortStableFunc(s.refs, func(a, b spillRef) int { return a.seq - b.seq })
	shared := interner{}
	for _, r := range s.refs {
		if cap(s.buf) < r.n {
			s.buf = make([]byte, r.n)
		}
		b := s.buf[:r.n]
		if _, err := s.f.ReadAt(b, r.off); err != nil {
			return fmt.Errorf("kb: new articles: read back: %w", err)
		}
		a, err := decodeArticle(b, shared)
		if err != nil {
			return fmt.Errorf("kb: new articles: record at %d: %w", r.off, err)
		}
		fn(a)
	}
	return nil
}

// close removes the file; a spill can be closed twice.
func (s *spill) close() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f, s.w = nil, nil
	}
	s.refs, s.buf = nil, nil
}

// appendArticle encodes what the plan needs of an article (not its bytes,
// which are in the pack already): strings as a length and the bytes,
// numbers as varints.
func appendArticle(b []byte, a *Article) []byte {
	str := func(s string) { b = appendString(b, s) }
	b = binary.AppendVarint(b, int64(a.Seq))
	str(a.ID.Source)
	str(a.ID.Site)
	str(a.ID.ID)
	str(a.Slug)
	str(a.SourceHash)
	str(a.Info.Title)
	str(a.Info.SourceURL)
	str(a.Info.AnswerAuthor)
	b = binary.AppendVarint(b, int64(a.Info.Score))
	b = binary.AppendVarint(b, int64(a.Info.Redactions))
	b = binary.AppendUvarint(b, uint64(len(a.Info.Tags)))
	for _, t := range a.Info.Tags {
		str(t)
	}
	b = append(b, a.Blob.Hash[:]...)
	b = append(b, byte(a.Blob.Type))
	return binary.AppendUvarint(b, uint64(a.Blob.Size))
}

var errRecord = errors.New("truncated or corrupt record")

// appendString writes s as its length and its bytes, as every record here
// does.
func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// readString reads what appendString wrote, and the rest.
func readString(b []byte) (string, []byte, bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return "", nil, false
	}
	b = b[k:]
	return string(b[:n]), b[n:], true
}

// decodeArticle reads what appendArticle wrote. shared holds one copy of
// the strings many articles repeat (source, site, tags).
func decodeArticle(b []byte, shared interner) (*Article, error) {
	bad := false
	uvarint := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			bad = true
			return 0
		}
		b = b[n:]
		return v
	}
	varint := func() int {
		v, n := binary.Varint(b)
		if n <= 0 {
			bad = true
			return 0
		}
		b = b[n:]
		return int(v)
	}
	str := func() string {
		n := uvarint()
		if bad || n > uint64(len(b)) {
			bad = true
			return ""
		}
		s := string(b[:n])
		b = b[n:]
		return s
	}
	a := &Article{Seq: varint()}
	a.ID = Identity{Source: shared.get(str()), Site: shared.get(str()), ID: str()}
	a.Slug, a.SourceHash = str(), str()
	a.Info.Title, a.Info.SourceURL, a.Info.AnswerAuthor = str(), str(), str()
	a.Info.Score, a.Info.Redactions = varint(), varint()
	if n := uvarint(); n > 0 && !bad {
		if n > uint64(len(b)) { // each tag takes a byte at least
			return nil, errRecord
		}
		a.Info.Tags = make([]string, n)
		for i := range a.Info.Tags {
			a.Info.Tags[i] = shared.get(str())
		}
	}
	if bad || len(b) < len(plumbing.ZeroHash)+1 {
		return nil, errRecord
	}
	copy(a.Blob.Hash[:], b)
	b = b[len(plumbing.ZeroHash):]
	a.Blob.Type = plumbing.ObjectType(int8(b[0]))
	b = b[1:]
	a.Blob.Size = int(uvarint())
	if bad || len(b) != 0 {
		return nil, errRecord
	}
	return a, nil
}
