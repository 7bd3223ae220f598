package kb

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"io"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
)

// packItem is what the pack's index needs of an object: 32 bytes, in an
// order that leaves no padding.
type packItem struct {
	off  int64
	hash plumbing.Hash
	crc  uint32
}

// objectSet finds the pack's objects by hash: an open-addressing table of
// indexes into the items, 4 bytes a slot and at most half full, where a
// map keyed by hash took ~60 bytes an object (60 MB at a million).
type objectSet struct {
	slots []uint32 // item index + 1; 0 is empty
	n     int
}

func (s *objectSet) slot(h plumbing.Hash) int {
	// A hash is uniform already: its first bytes are the table's hash.
	return int(binary.LittleEndian.Uint64(h[:8]) & uint64(len(s.slots)-1))
}

// has reports whether items holds h.
func (s *objectSet) has(items []packItem, h plumbing.Hash) bool {
	if len(s.slots) == 0 {
		return false
	}
	for i := s.slot(h); ; i = (i + 1) & (len(s.slots) - 1) {
		v := s.slots[i]
		if v == 0 {
			return false
		}
		if items[v-1].hash == h {
			return true
		}
	}
}

// add records that items[i] is in the pack; it must not be already.
func (s *objectSet) add(items []packItem, i int) {
	if 2*(s.n+1) > len(s.slots) {
		old := s.slots
		s.slots = make([]uint32, max(64, 2*len(old)))
		for _, v := range old {
			if v != 0 {
				s.put(items[v-1].hash, v)
			}
		}
	}
	s.put(items[i].hash, uint32(i+1))
	s.n++
}

func (s *objectSet) put(h plumbing.Hash, v uint32) {
	i := s.slot(h)
	for s.slots[i] != 0 {
		i = (i + 1) & (len(s.slots) - 1)
	}
	s.slots[i] = v
}

// writeIdx writes a version 2 pack index of items (sorted here, by hash)
// for the pack whose checksum is packSum, as git's index-pack does, with
// no copy of the items: go-git's idxfile.Writer held ~70 bytes an object
// besides them.
func writeIdx(w io.Writer, items []packItem, packSum plumbing.Hash) error {
	slices.SortFunc(items, func(a, b packItem) int { return bytes.Compare(a.hash[:], b.hash[:]) })
	sum := sha1.New()
	bw := bufio.NewWriterSize(io.MultiWriter(w, sum), 64<<10)
	var b [8]byte
	u32 := func(v uint32) {
		binary.BigEndian.PutUint32(b[:4], v)
		bw.Write(b[:4])
	}
	bw.Write([]byte{0xff, 't', 'O', 'c'})
	u32(2)
	var fanout [256]uint32
	for _, it := range items {
		fanout[it.hash[0]]++
	}
	var total uint32
	for _, n := range fanout {
		total += n
		u32(total)
	}
	for _, it := range items {
		bw.Write(it.hash[:])
	}
	for _, it := range items {
		u32(it.crc)
	}
	var large []int64
	for _, it := range items {
		if it.off < 1<<31 {
			u32(uint32(it.off))
			continue
		}
		u32(1<<31 | uint32(len(large)))
		large = append(large, it.off)
	}
	for _, off := range large {
		binary.BigEndian.PutUint64(b[:], uint64(off))
		bw.Write(b[:])
	}
	bw.Write(packSum[:])
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(sum.Sum(nil))
	return err
}

// hashSet is a set of 64-bit hashes: open addressing, 8 bytes a slot and
// at most half full (a map[uint64]struct{} took ~40 bytes an entry).
type hashSet struct {
	slots []uint64 // 0 is empty: the hash 0 is kept as 1
	n     int
}

func (s *hashSet) add(h uint64) {
	h = max(h, 1)
	if 2*(s.n+1) > len(s.slots) {
		old := s.slots
		s.slots = make([]uint64, max(64, 2*len(old)))
		for _, v := range old {
			if v != 0 {
				s.put(v)
			}
		}
	}
	if s.put(h) {
		s.n++
	}
}

// put stores h unless it is there; it reports whether it was new.
func (s *hashSet) put(h uint64) bool {
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			return true
		case h:
			return false
		}
	}
}

func (s *hashSet) has(h uint64) bool {
	if len(s.slots) == 0 {
		return false
	}
	h = max(h, 1)
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			return false
		case h:
			return true
		}
	}
}
