package jsonstream

import "os"

// Loc is where a record's bytes are: File indexes the export's file list,
// N bytes from offset Off. Sixteen bytes a record, so that a first pass can
// index millions of records without holding their bodies.
type Loc struct {
	File int32
	N    int32
	Off  int64
}

// Records reads records back by Loc, keeping a few files open.
type Records struct {
	paths []string
	open  map[int32]*os.File
	order []int32 // oldest open first
}

const maxOpenFiles = 8

// NewRecords reads back from paths, the list that Loc.File indexes.
func NewRecords(paths []string) *Records {
	return &Records{paths: paths, open: map[int32]*os.File{}}
}

// Read returns the bytes at l.
func (r *Records) Read(l Loc) ([]byte, error) {
	f, ok := r.open[l.File]
	if !ok {
		if len(r.order) >= maxOpenFiles {
			old := r.order[0]
			r.order = r.order[1:]
			r.open[old].Close()
			delete(r.open, old)
		}
		var err error
		f, err = os.Open(r.paths[l.File])
		if err != nil {
			return nil, err
		}
		r.open[l.File] = f
		r.order = append(r.order, l.File)
	}
	buf := make([]byte, l.N)
	if _, err := f.ReadAt(buf, l.Off); err != nil {
		return nil, err
	}
	return buf, nil
}

// Close closes the files left open.
func (r *Records) Close() {
	for _, f := range r.open {
		f.Close()
	}
}
