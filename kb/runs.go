package kb

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// sortedRecords sorts byte records: in memory up to a budget, beyond it in
// sorted runs written to a temporary file, merged when read. A first sync
// of a million threads has ~300 MB of per-article records (paths, titles,
// manifest lines) that the commit reads in path or identity order; this
// keeps only the budget and a buffer per run in the heap.
//
// The file is unlinked as soon as it is made (where the system allows it),
// so nothing is left behind by a killed run or a caller that never calls
// close.
type sortedRecords struct {
	dir    string // "" is the system's temporary folder
	cmp    func(a, b []byte) int
	budget int // bytes of records held before a run is written

	arena  []byte   // the current chunk
	held   int      // bytes of the records in memory
	recs   [][]byte // into the chunks
	sorted bool     // recs are sorted (the last, in-memory run)
	runs   []run
	f      *os.File
	name   string // set while the file still has to be removed
	off    int64
	n      int
	err    error // the first write error; reported by each
}

type run struct{ off, end int64 }

// defaultRunBudget bounds the records held in memory: ~30,000 articles'
// worth.
const defaultRunBudget = 8 << 20

func newSortedRecords(dir string, cmp func(a, b []byte) int) *sortedRecords {
	return &sortedRecords{dir: dir, cmp: cmp, budget: defaultRunBudget}
}

// add copies rec in. Records added after each has run are an error.
func (s *sortedRecords) add(rec []byte) {
	if s.err != nil {
		return
	}
	if s.sorted {
		s.err = errors.New("record added after reading")
		return
	}
	if s.held+len(rec) > s.budget && len(s.recs) > 0 {
		s.spill()
	}
	if len(s.arena)+len(rec) > cap(s.arena) {
		// A new chunk: the records point into the old one, which stays.
		s.arena = make([]byte, 0, max(len(rec), min(max(2*cap(s.arena), 64<<10), s.budget)))
	}
	s.held += len(rec)
	start := len(s.arena)
	s.arena = append(s.arena, rec...)
	s.recs = append(s.recs, s.arena[start:len(s.arena):len(s.arena)])
	s.n++
}

func (s *sortedRecords) len() int { return s.n }

// spill writes the records held as one sorted run.
func (s *sortedRecords) spill() {
	if len(s.recs) == 0 || s.err != nil {
		return
	}
	if s.f == nil {
		f, err := os.CreateTemp(s.dir, tmpPackPrefix+"sort-*")
		if err != nil {
			s.err = err
			return
		}
		s.f = f
		if os.Remove(f.Name()) != nil {
			s.name = f.Name() // a system that keeps open files: remove it in close
		}
	}
	slices.SortStableFunc(s.recs, s.cmp)
	w := bufio.NewWriterSize(io.NewOffsetWriter(s.f, s.off), 256<<10)
	start := s.off
	var hdr [binary.MaxVarintLen64]byte
	for _, r := range s.recs {
		n := binary.PutUvarint(hdr[:], uint64(len(r)))
		w.Write(hdr[:n])
		w.Write(r)
		s.off += int64(n + len(r))
	}
	if err := w.Flush(); err != nil {
		s.err = err
		return
	}
	s.runs = append(s.runs, run{start, s.off})
	clear(s.recs) // drop the pointers into the old arena
	s.recs = s.recs[:0]
	s.arena, s.held = s.arena[:0], 0
}

// each hands the records to fn in order; equal records come in the order
// they were added. The slice fn gets is valid until it returns. each may
// be called again; add may not be called after it.
func (s *sortedRecords) each(fn func(rec []byte) error) error {
	if s.err != nil {
		return fmt.Errorf("sort: %w", s.err)
	}
	if !s.sorted {
		s.sorted = true
		slices.SortStableFunc(s.recs, s.cmp)
	}
	if len(s.runs) == 0 {
		for _, r := range s.recs {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	h := &mergeHeap{cmp: s.cmp}
	for i, r := range s.runs {
		m := &runReader{r: bufio.NewReaderSize(io.NewSectionReader(s.f, r.off, r.end-r.off), 64<<10), order: i}
		if err := m.next(); err != nil {
			return fmt.Errorf("sort: read back: %w", err)
		}
		if !m.end {
			h.items = append(h.items, m)
		}
	}
	if len(s.recs) > 0 {
		m := &runReader{mem: s.recs, order: len(s.runs)}
		m.next()
		h.items = append(h.items, m)
	}
	heap.Init(h)
	for len(h.items) > 0 {
		m := h.items[0]
		if err := fn(m.cur); err != nil {
			return err
		}
		if err := m.next(); err != nil {
			return fmt.Errorf("sort: read back: %w", err)
		}
		if m.end {
			heap.Pop(h)
		} else {
			heap.Fix(h, 0)
		}
	}
	return nil
}

// close releases the file; the records are gone. close may be called twice.
func (s *sortedRecords) close() {
	if s.f != nil {
		s.f.Close()
		if s.name != "" {
			os.Remove(s.name)
		}
		s.f = nil
	}
	s.arena, s.recs, s.runs = nil, nil, nil
	s.err = errors.New("read after close")
}

// runReader reads one run: from the file, or the last records still in
// memory.
type runReader struct {
	r     *bufio.Reader
	mem   [][]byte
	buf   []byte
	cur   []byte
	end   bool
	order int // runs were written in adding order: ties go to the earlier
}

func (m *runReader) next() error {
	if m.r == nil {
		if len(m.mem) == 0 {
			m.cur, m.end = nil, true
			return nil
		}
		m.cur, m.mem = m.mem[0], m.mem[1:]
		return nil
	}
	n, err := binary.ReadUvarint(m.r)
	if err == io.EOF {
		m.cur, m.end = nil, true
		return nil
	}
	if err != nil {
		return err
	}
	if cap(m.buf) < int(n) {
		m.buf = make([]byte, n)
	}
	m.cur = m.buf[:n]
	if _, err := io.ReadFull(m.r, m.cur); err != nil {
		return err
	}
	return nil
}

type mergeHeap struct {
	items []*runReader
	cmp   func(a, b []byte) int
}

func (h *mergeHeap) Len() int { return len(h.items) }
func (h *mergeHeap) Less(i, j int) bool {
	if c := h.cmp(h.items[i].cur, h.items[j].cur); c != 0 {
		return c < 0
	}
	return h.items[i].order < h.items[j].order
}
func (h *mergeHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *mergeHeap) Push(x any)    { h.items = append(h.items, x.(*runReader)) }
func (h *mergeHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}
