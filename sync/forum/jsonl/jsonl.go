package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

// Export is an opened interchange file, or a folder of them.
type Export struct {
	files []string
	opts  forum.Options
}

// Open checks PATH and lists the files to read; nothing is parsed yet.
func Open(path string, opts forum.Options) (*Export, error) {
	files, err := listFiles(path)
	if err != nil {
		return nil, err
	}
	return &Export{files: files, opts: opts}, nil
}

// Files are the files Threads reads, in order.
func (e *Export) Files() []string { return append([]string(nil), e.files...) }

// Threads streams one thread per line, file by file. An error from yield
// stops the walk and is returned as is.
func (e *Export) Threads(ctx context.Context, yield func(*forum.Thread) error) error {
	seen := map[string]string{}    // thread id -> where it was first
	answers := map[string]string{} // answer id -> where it was first
	for _, name := range e.files {
		f, err := os.Open(name)
		if err != nil {
			return &forum.InputError{Format: forum.JSONL, Path: name, Offset: -1, Err: err, Hint: "check that the file exists and is readable"}
		}
		err = readStream(ctx, name, f, e.opts, seen, answers, yield)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// LineLimit is the longest line accepted: four times the post cap, room for
// a question, an answer and some replies.
func LineLimit(opts forum.Options) int { return 4 * opts.PostLimit() }

var errLineTooLong = errors.New("line too long")

// readStream reads one file. seen maps thread ids to where they were first
// met, across files.
func readStream(ctx context.Context, path string, r io.Reader, opts forum.Options, seen, answers map[string]string, yield func(*forum.Thread) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	limit := LineLimit(opts)
	var buf []byte
	var off int64
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := fmt.Sprintf("line %d", n)
		start := off
		line, err := readLine(br, buf[:0], limit)
		buf = line
		off += int64(len(line))
		fail := func(off int64, err error, hint string) error {
			return &forum.InputError{Format: forum.JSONL, Path: path, Record: rec, Offset: off, Err: err, Hint: hint}
		}
		switch {
		case errors.Is(err, errLineTooLong):
			return fail(start, fmt.Errorf("line is longer than %d bytes", limit),
				"raise the post size cap (MaxPostBytes) or check that the script writes one thread per line")
		case err != nil && err != io.EOF:
			return fail(start, err, "check that the file is readable")
		}
		if n == 1 {
			line = jsonstream.TrimBOM(line)
		}
		if trimmed := bytes.TrimSpace(line); len(trimmed) > 0 {
			t, perr := parseLine(trimmed, opts)
			if perr != nil {
				var le *lineError
				if errors.As(perr, &le) && le.col >= 0 {
					return fail(start+le.col, le.err, le.hint)
				}
				if errors.As(perr, &le) {
					return fail(start, le.err, le.hint)
				}
				return fail(start, perr, hintSchema)
			}
			where := fmt.Sprintf("line %d of %s", n, filepath.Base(path))
			if prev, dup := seen[t.ID]; dup {
				return fail(start, fmt.Errorf("duplicate id %q, first on %s", t.ID, prev),
					"ids must be unique across the files read; drop or renumber one")
			}
			seen[t.ID] = where
			// An answer carries its own id: the same one on two threads
			// means a script mixed them up.
			if t.Answer != nil {
				if prev, dup := answers[t.Answer.ID]; dup {
					return fail(start, fmt.Errorf("answer id %q is also the answer of the thread on %s", t.Answer.ID, prev),
						"each thread's answer must be its own post; check the script that wrote the export")
				}
				answers[t.Answer.ID] = where
			}
			if err := yield(t); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine reads one line, newline included, into buf. It never holds more
// than limit bytes (plus the line ending) of one line.
func readLine(r *bufio.Reader, buf []byte, limit int) ([]byte, error) {
	for {
		frag, err := r.ReadSlice('\n')
		buf = append(buf, frag...)
		// buf grows at most one buffer past the limit before this stops it.
		if len(buf) > limit+2 && len(bytes.TrimRight(buf, "\r\n")) > limit {
			return buf, errLineTooLong
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return buf, err
	}
}

// exts are the file name endings read from a folder.
var exts = []string{".json", ".jsonl", ".ndjson"}

var errNoFiles = errors.New("no .json, .jsonl or .ndjson files in folder")

func listFiles(path string) ([]string, error) {
	files, isDir, err := forum.ExportFiles(path, exts...)
	switch {
	case err != nil && !isDir:
		return nil, &forum.InputError{Format: forum.JSONL, Path: path, Offset: -1, Err: err, Hint: "check the path given with --from"}
	case err != nil:
		return nil, &forum.InputError{Format: forum.JSONL, Path: path, Offset: -1, Err: err, Hint: "check that the folder is readable"}
	case len(files) == 0:
		return nil, &forum.InputError{Format: forum.JSONL, Path: path, Offset: -1, Err: errNoFiles,
			Hint: "point --from at the .jsonl file or the folder that holds it"}
	}
	return files, nil
}

// sniffBytes is how much of each file Sniff reads.
const sniffBytes = 64 << 10

// Sniff reports whether PATH looks like kbsync JSON Lines: for a folder,
// every file in it must. It reads at most 64 KiB per file; the error is only
// for paths that cannot be read.
func Sniff(path string) (bool, error) {
	files, err := listFiles(path)
	if err != nil {
		if errors.Is(err, errNoFiles) {
			return false, nil
		}
		return false, err
	}
	return jsonstream.SniffEach(forum.JSONL, files, sniffBytes, sniffPrefix)
}

// sniffPrefix looks at the first non-empty line: an object with a question
// object and an id or title (or a question that has body or format).
func sniffPrefix(b []byte) bool {
	b = jsonstream.TrimBOM(b)
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			return sniffLine(line)
		}
	}
	return false
}

func sniffLine(line []byte) bool {
	if line[0] != '{' {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	top := map[string]bool{}
	qkeys := map[string]bool{}
	depth, inQuestion, wantKey := 0, false, false
	var key string
walk:
	for {
		tok, err := dec.Token()
		if err != nil {
			break // a long first line is cut by the prefix
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			if depth == 2 && key == "question" && tok == json.Delim('{') {
				inQuestion = true
			}
			wantKey = tok == json.Delim('{')
			continue
		case json.Delim('}'), json.Delim(']'):
			depth--
			if depth == 1 {
				inQuestion = false
			}
			if depth == 0 {
				break walk
			}
			wantKey = true // back in an object or array: only objects matter here
			continue
		}
		if depth == 0 {
			break walk
		}
		if s, ok := tok.(string); ok && wantKey {
			switch {
			case depth == 1:
				top[s], key = true, s
			case depth == 2 && inQuestion:
				qkeys[s] = true
			}
			wantKey = false
			continue
		}
		wantKey = true
	}
	if !top["question"] {
		return false
	}
	return top["id"] || top["title"] || qkeys["body"] || qkeys["format"]
}
