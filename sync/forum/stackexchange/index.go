package stackexchange

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"

	"github.com/kbsync/kbsync/sync/forum"
)

// The first pass reads Posts.xml in chunks that start at a row, scanned and
// validated in parallel, then applied in file order: validating rows is
// most of its cost, and the order-dependent checks are cheap map lookups.
// Any scanner failure inside a chunk (a real one, or a chunk cut inside a
// comment) makes the rest of the file be read in order from that chunk's
// start, so errors, row numbers and offsets are those of a plain scan.

// defaultChunk is the size of a chunk; a file under two chunks is read in
// one.
const defaultChunk = 8 << 20

// rowRec is what the first pass needs of one row of Posts.xml.
type rowRec struct {
	off      int64 // the row's offset
	row      int   // its number, within its chunk when read in parallel
	id, kind int64
	ref      int64 // AcceptedAnswerId of a question, ParentId of an answer
	hasRef   bool
	owner    int64
	dup      bool   // a question closed as a duplicate
	dupTitle string // its title
	unsolved *forum.Thread
	// A failure reading the row, and the step of the checks at which a plain
	// scan would have met it: later rows are not read.
	stage int
	err   error
}

// Steps of the per-row checks, in their order.
const (
	stageNone     = iota
	stageID       // row validation and Id: before any check
	stageKind     // PostTypeId: after the duplicate-Id check
	stageRef      // AcceptedAnswerId or ParentId: after the not-an-answer check
	stageUnsolved // a question without accepted answer: reading its fields
)

// extract reads the fields the first pass needs from the scanner's row.
func (d *Dump) extract(sc *rowScanner, dupOf map[int64]int64) rowRec {
	r := rowRec{off: sc.rowOff, row: sc.rows}
	bad := func(stage int, err error) rowRec {
		r.stage, r.err = stage, err
		return r
	}
	if err := sc.validateAll(); err != nil {
		return bad(stageID, err)
	}
	id, ok, err := sc.Int("Id")
	if err == nil && !ok {
		err = sc.fail(sc.rowOff, "the row has no Id")
	}
	if err != nil {
		return bad(stageID, err)
	}
	r.id = id
	kind, _, err := sc.Int("PostTypeId")
	if err != nil {
		return bad(stageKind, err)
	}
	r.kind = kind
	switch kind {
	case 1:
		if _, ok := dupOf[id]; ok {
			title, _, _ := sc.Attr("Title")
			r.dup, r.dupTitle = true, forum.OneLine(title)
		}
		aid, has, err := sc.Int("AcceptedAnswerId")
		if err != nil {
			return bad(stageRef, err)
		}
		r.ref, r.hasRef = aid, has
		if !has {
			t, err := d.unsolved(sc, id)
			if err != nil {
				return bad(stageUnsolved, err)
			}
			r.unsolved = t
			return r
		}
		r.owner = owner(sc)
	case 2:
		parent, has, err := sc.Int("ParentId")
		if err == nil && !has {
			err = sc.fail(sc.rowOff, "answer %d has no ParentId", id)
		}
		if err != nil {
			return bad(stageRef, err)
		}
		r.ref, r.hasRef = parent, true
		r.owner = owner(sc)
	}
	return r
}

// indexer holds the order-dependent state of the first pass.
type indexer struct {
	d     *Dump
	ix    *index
	seen  *idSet
	early map[int64]earlyAnswer // answers met before their question
	yield func(*forum.Thread) error
}

type earlyAnswer struct{ parent, off, owner int64 }

// apply runs the checks of one row in file order. base is the number of
// rows before the row's chunk.
func (x *indexer) apply(r *rowRec, base int) error {
	d, ix := x.d, x.ix
	fail := func(format string, args ...any) error {
		return d.rowErr(d.posts, &scanError{off: r.off, row: base + r.row, err: fmt.Errorf(format, args...)})
	}
	failed := func() error {
		var se *scanError
		if errors.As(r.err, &se) {
			se.row += base
		}
		return d.rowErr(d.posts, r.err)
	}
	if r.stage == stageID {
		return failed()
	}
	if x.seen.addDup(r.id) {
		return fail("post Id %d appears twice", r.id)
	}
	if r.stage == stageKind {
		return failed()
	}
	if i, ok := ix.byAnswer[r.id]; ok && r.kind != 2 {
		return fail("question %d accepts post %d, which is not an answer (PostTypeId %d)", ix.accepted[i].qid, r.id, r.kind)
	}
	id := r.id
	switch r.kind {
	case 1:
		if r.dup {
			orig := ix.dupOf[id]
			sid := strconv.FormatInt(id, 10)
			ix.dups[orig] = append(ix.dups[orig], forum.Ref{ID: sid, Title: r.dupTitle, URL: d.site + "/q/" + sid})
		}
		if r.stage != stageNone {
			return failed()
		}
		if !r.hasRef {
			if orig, ok := ix.dupOf[id]; ok {
				r.unsolved.DuplicateOf = strconv.FormatInt(orig, 10)
			}
			return x.yield(r.unsolved)
		}
		aid := r.ref
		rec := acceptedRec{qid: id, aid: aid, qoff: r.off, aoff: -1, qowner: r.owner, aowner: noOwner}
		if e, ok := x.early[aid]; ok {
			if e.parent != id {
				return fail("question %d accepts answer %d, which belongs to question %d", id, aid, e.parent)
			}
			rec.aoff, rec.aowner = e.off, e.owner
			delete(x.early, aid)
		} else if x.seen.has(aid) {
			// Only answers whose question was not yet seen are kept in
			// early; any other earlier post cannot be one of this
			// question's answers.
			return fail("question %d accepts post %d, which comes earlier in the file and is not one of its answers", id, aid)
		}
		if _, dup := ix.byAnswer[aid]; dup {
			return fail("answer %d is accepted by two questions", aid)
		}
		ix.byAnswer[aid] = len(ix.accepted)
		ix.accepted = append(ix.accepted, rec)
	case 2:
		if r.stage != stageNone {
			return failed()
		}
		parent := r.ref
		if i, ok := ix.byAnswer[id]; ok {
			if q := ix.accepted[i].qid; q != parent {
				return fail("answer %d belongs to question %d, but question %d accepts it", id, parent, q)
			}
			ix.accepted[i].aoff, ix.accepted[i].aowner = r.off, r.owner
		} else if !x.seen.has(parent) {
			x.early[id] = earlyAnswer{parent, r.off, r.owner}
		}
	}
	return nil
}

// index is the first pass over Posts.xml. It validates every row, yields the
// questions that have no accepted answer and records the others.
func (d *Dump) index(ctx context.Context, f *os.File, dupOf map[int64]int64, yield func(*forum.Thread) error) (*index, error) {
	x := &indexer{d: d, seen: newIDSet(), early: map[int64]earlyAnswer{}, yield: yield,
		ix: &index{byAnswer: map[int64]int{}, dups: map[int64][]forum.Ref{}, dupOf: dupOf}}
	st, err := f.Stat()
	if err != nil {
		return nil, d.fileErr(d.posts, err)
	}
	size := st.Size()
	chunk := d.chunk
	if chunk <= 0 {
		chunk = defaultChunk
	}
	workers := cmp.Or(d.workers, runtime.GOMAXPROCS(0))
	if (workers < 2 && d.chunk == 0) || size < 2*chunk {
		return x.ix, d.scanInOrder(ctx, f, size, 0, "", 0, x)
	}
	root, ok := d.rootName(f, size)
	if !ok {
		return x.ix, d.scanInOrder(ctx, f, size, 0, "", 0, x)
	}
	bounds, err := rowBoundaries(f, size, chunk)
	if err != nil {
		return nil, d.fileErr(d.posts, err)
	}
	return x.ix, d.scanChunks(ctx, f, bounds, root, workers, x)
}

// rootName reads the start of the file up to its first row and returns the
// root element's name.
func (d *Dump) rootName(f *os.File, size int64) (string, bool) {
	sc := newRowScanner(io.NewSectionReader(f, 0, size), d.limit, rowBuf)
	ok, err := sc.Next()
	return sc.root, ok && err == nil && sc.inRoot
}

// scanInOrder reads rows from start to the end of the file, in order: the
// whole file, or the rest of it from the start of a chunk (then root is the
// root element, already open, and base the rows before start).
func (d *Dump) scanInOrder(ctx context.Context, f *os.File, size, start int64, root string, base int, x *indexer) error {
	sc := newRowScanner(io.NewSectionReader(f, start, size-start), d.limit, streamBuf)
	if start > 0 {
		sc.off, sc.root, sc.inRoot, sc.rows = start, root, true, base
	}
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		ok, err := sc.Next()
		if err != nil {
			return d.rowErr(d.posts, err)
		}
		if !ok {
			return nil
		}
		r := d.extract(sc, x.ix.dupOf)
		if err := x.apply(&r, 0); err != nil {
			return err
		}
	}
}

// chunkOut is what a worker read of one chunk.
type chunkOut struct {
	recs []rowRec
	rows int   // rows in the chunk
	err  error // the scanner failed: the chunk is read again, in order
}

// scanChunk reads the rows of [start, end). A chunk other than the last
// ends between two rows; the first starts at the top of the file.
func (d *Dump) scanChunk(ctx context.Context, f *os.File, start, end int64, root string, last bool, dupOf map[int64]int64) chunkOut {
	// A buffer no larger than the chunk: tests cut files into chunks of a
	// few bytes.
	buf := int(min(end-start, streamBuf))
	sc := newRowScanner(io.NewSectionReader(f, start, end-start), d.limit, max(buf, 4096))
	sc.cut = !last
	if start > 0 {
		sc.off, sc.root, sc.inRoot = start, root, true
	}
	var out chunkOut
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			out.err = ctx.Err()
			return out
		}
		ok, err := sc.Next()
		if err != nil {
			out.err = err
			return out
		}
		if !ok {
			break
		}
		r := d.extract(sc, dupOf)
		out.recs = append(out.recs, r)
		if r.err != nil {
			break // the checks stop at this row at the latest
		}
	}
	if !last && !sc.inRoot {
		// The table closed inside this chunk: the next one would read on
		// as if it were open. A plain scan says what is wrong.
		out.err = errors.New("the table closes before the end of the file")
	}
	out.rows = sc.rows
	return out
}

// scanChunks reads the chunks in parallel, a bounded number ahead, and
// applies them in order. One worker reads each chunk in turn.
func (d *Dump) scanChunks(parent context.Context, f *os.File, bounds []int64, root string, workers int, x *indexer) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	n := len(bounds) - 1
	read := func(i int) chunkOut {
		return d.scanChunk(ctx, f, bounds[i], bounds[i+1], root, i == n-1, x.ix.dupOf)
	}
	get := func(i int) (chunkOut, error) { return read(i), nil }
	if workers > 1 {
		outs := make([]chan chunkOut, n)
		for i := range outs {
			outs[i] = make(chan chunkOut, 1)
		}
		// At most workers+1 chunks are read and not yet applied.
		slots := make(chan struct{}, workers+1)
		go func() {
			for i := range n {
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					return
				}
				go func(i int) { outs[i] <- read(i) }(i)
			}
		}()
		get = func(i int) (chunkOut, error) {
			select {
			case out := <-outs[i]:
				<-slots
				return out, nil
			case <-ctx.Done():
				return chunkOut{}, ctx.Err()
			}
		}
	}
	size := bounds[n]
	base := 0
	for i := range n {
		out, err := get(i)
		if err != nil {
			return err
		}
		if out.err != nil {
			if err := parent.Err(); err != nil {
				return err
			}
			cancel() // the chunks after this one are read again
			return d.scanInOrder(parent, f, size, bounds[i], root, base, x)
		}
		for j := range out.recs {
			if err := x.apply(&out.recs[j], base); err != nil {
				return err
			}
		}
		base += out.rows
	}
	return nil
}

// rowBoundaries splits a file of size bytes into chunks of about chunk
// bytes that start at a row ("<row" and a space, '/' or '>'). A boundary
// that falls inside a comment is found out when its chunk is read.
func rowBoundaries(f io.ReaderAt, size, chunk int64) ([]int64, error) {
	bounds := []int64{0}
	buf := make([]byte, 64<<10)
	for next := chunk; next < size; {
		pos, err := nextRow(f, next, size, buf)
		if err != nil {
			return nil, err
		}
		if pos < 0 {
			break
		}
		bounds = append(bounds, pos)
		next = pos + chunk
	}
	return append(bounds, size), nil
}

// nextRow finds the first row tag at or after from, or -1.
func nextRow(f io.ReaderAt, from, size int64, buf []byte) (int64, error) {
	const tag = "<row"
	for off := from; off < size; {
		n, err := f.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		if err != nil && !errors.Is(err, io.EOF) {
			return -1, err
		}
		b := buf[:n]
		for i := 0; ; {
			j := bytes.Index(b[i:], []byte(tag))
			if j < 0 {
				break
			}
			k := i + j + len(tag)
			if k >= len(b) {
				break // look again in the next read
			}
			switch b[k] {
			case ' ', '\t', '\r', '\n', '/', '>':
				return off + int64(i+j), nil
			}
			i += j + 1
		}
		if off+int64(n) >= size || n <= len(tag) {
			return -1, nil
		}
		off += int64(n - len(tag)) // a tag across two reads is seen whole
	}
	return -1, nil
}
