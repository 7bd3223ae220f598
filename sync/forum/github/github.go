package github

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kbsync/kbsync/sync/forum"
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
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &forum.InputError{Format: forum.GitHub, Path: path, Offset: -1, Err: err, Hint: "check the path given with --from"}
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, &forum.InputError{Format: forum.GitHub, Path: path, Offset: -1, Err: err, Hint: "check that the folder is readable"}
	}
	var files []string
	for _, de := range entries {
		n := de.Name()
		// Dot files are editor backups and macOS resource forks, not exports.
		if strings.HasPrefix(n, ".") || de.IsDir() || !hasExt(n) {
			continue
		}
		files = append(files, filepath.Join(path, n))
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, &forum.InputError{Format: forum.GitHub, Path: path, Offset: -1,
			Err:  errNoFiles,
			Hint: "point --from at the export file or the folder that holds it"}
	}
	return files, nil
}

func hasExt(name string) bool {
	l := strings.ToLower(name)
	for _, x := range exts {
		if strings.HasSuffix(l, x) {
			return true
		}
	}
	return false
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
	for _, name := range files {
		ok, err := sniffFile(name)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func sniffFile(name string) (bool, error) {
	f, err := os.Open(name)
	if err != nil {
		return false, fmt.Errorf("github: sniff %s: %w", name, err)
	}
	defer f.Close()
	buf, err := io.ReadAll(io.LimitReader(bufio.NewReader(f), sniffBytes))
	if err != nil {
		return false, fmt.Errorf("github: sniff %s: %w", name, err)
	}
	return sniffPrefix(buf), nil
}
