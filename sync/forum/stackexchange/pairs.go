package stackexchange

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
)

// pairFile holds the accepted pairs (ids and offsets) between the first
// pass and the second, which reads them in order: at a million solved
// threads they are ~50 MB that would stay in the heap for the whole
// conversion. The file is unlinked as soon as it is made (where the system
// allows it), so a killed run leaves nothing behind.
type pairFile struct {
	f    *os.File
	name string // set while the file still has to be removed
	n    int
}

const pairSize = 4 * 8 // qid, aid, qoff, aoff

// writePairs writes recs to a temporary file in dir ("" is the system's
// temporary folder).
func writePairs(dir string, recs []acceptedRec) (*pairFile, error) {
	f, err := os.CreateTemp(dir, "kbsync-pairs-*")
	if err != nil {
		return nil, fmt.Errorf("stackexchange: the accepted pairs: %w", err)
	}
	p := &pairFile{f: f, n: len(recs)}
	if os.Remove(f.Name()) != nil {
		p.name = f.Name()
	}
	w := bufio.NewWriterSize(f, 64<<10)
	var b [pairSize]byte
	for _, r := range recs {
		binary.LittleEndian.PutUint64(b[0:], uint64(r.qid))
		binary.LittleEndian.PutUint64(b[8:], uint64(r.aid))
		binary.LittleEndian.PutUint64(b[16:], uint64(r.qoff))
		binary.LittleEndian.PutUint64(b[24:], uint64(r.aoff))
		w.Write(b[:])
	}
	if err := w.Flush(); err != nil {
		p.close()
		return nil, fmt.Errorf("stackexchange: the accepted pairs: %w", err)
	}
	return p, nil
}

// read fills dst with the pairs from the start-th on; owners are not kept.
func (p *pairFile) read(dst []acceptedRec, start int) error {
	buf := make([]byte, len(dst)*pairSize)
	if _, err := p.f.ReadAt(buf, int64(start)*pairSize); err != nil {
		return fmt.Errorf("stackexchange: the accepted pairs: %w", err)
	}
	for i := range dst {
		b := buf[i*pairSize:]
		dst[i] = acceptedRec{qid: int64(binary.LittleEndian.Uint64(b[0:])), aid: int64(binary.LittleEndian.Uint64(b[8:])),
			qoff: int64(binary.LittleEndian.Uint64(b[16:])), aoff: int64(binary.LittleEndian.Uint64(b[24:])),
			qowner: noOwner, aowner: noOwner}
	}
	return nil
}

func (p *pairFile) close() {
	p.f.Close()
	if p.name != "" {
		os.Remove(p.name)
	}
}
