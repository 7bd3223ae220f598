package github

import (
	"context"
	"errors"
	"os"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

// Export is an opened GitHub Discussions export: one file or a folder of them.
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

// Threads streams every discussion of every file, in file order. An error
// from yield stops the walk and is returned as is.
func (e *Export) Threads(ctx context.Context, yield func(*forum.Thread) error) error {
	seen := map[string]string{}
	for _, name := range e.files {
		if err := e.readFile(ctx, name, seen, yield); err != nil {
			return err
		}
	}
	return nil
}

func (e *Export) readFile(ctx context.Context, name string, seen map[string]string, yield func(*forum.Thread) error) error {
	f, err := os.Open(name)
	if err != nil {
		return &forum.InputError{Format: forum.GitHub, Path: name, Offset: -1, Err: err, Hint: "check that the file exists and is readable"}
	}
	defer f.Close()
	return decodeStream(ctx, name, f, e.opts, seen, yield)
}

var errNoFiles = errors.New("no .json, .jsonl or .ndjson files in folder")

// exts are the file name endings read from a folder.
var exts = []string{".json", ".jsonl", ".ndjson"}

func listFiles(path string) ([]string, error) {
	files, isDir, err := forum.ExportFiles(path, exts...)
	switch {
	case err != nil && !isDir:
		return nil, &forum.InputError{Format: forum.GitHub, Path: path, Offset: -1, Err: err, Hint: "check the path given with --from"}
	case err != nil:
		return nil, &forum.InputError{Format: forum.GitHub, Path: path, Offset: -1, Err: err, Hint: "check that the folder is readable"}
	case len(files) == 0:
		return nil, &forum.InputError{Format: forum.GitHub, Path: path, Offset: -1,
			Err:  errNoFiles,
			Hint: "point --from at the export file or the folder that holds it"}
	}
	return files, nil
}

// sniffBytes is how much of each file Sniff reads.
const sniffBytes = 64 << 10

// Sniff reports whether PATH looks like a GitHub Discussions export: for a
// folder, every export file in it must. It reads at most 64 KiB per file;
// the error is only for files that cannot be read.
func Sniff(path string) (bool, error) {
	files, err := listFiles(path)
	if err != nil {
		if errors.Is(err, errNoFiles) {
			return false, nil // a folder without exports is simply not this format
		}
		return false, err
	}
	return jsonstream.SniffEach(forum.GitHub, files, sniffBytes, sniffPrefix)
}
