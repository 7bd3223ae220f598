package forum

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ExportFiles lists the files a reader reads for path: path itself when it
// is not a folder, else the files of the folder whose names end in one of
// exts (".json", compared without case), in name order. Dot files (editor
// backups, macOS resource forks) and subfolders are skipped; subfolders are
// not entered.
//
// isDir tells an error about path itself (false) from one listing the
// folder (true), so that each reader can say what it expected there. A
// folder without a matching file gives no files and no error: the reader
// names the files it wanted.
func ExportFiles(path string, exts ...string) (files []string, isDir bool, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, err
	}
	if !st.IsDir() {
		return []string{path}, false, nil
	}
	entries, err := os.ReadDir(path) // sorted by name
	if err != nil {
		return nil, true, err
	}
	for _, de := range entries {
		name := de.Name()
		if de.IsDir() || strings.HasPrefix(name, ".") || !hasExt(name, exts) {
			continue
		}
		files = append(files, filepath.Join(path, name))
	}
	return files, true, nil
}

func hasExt(name string, exts []string) bool {
	name = strings.ToLower(name)
	for _, x := range exts {
		if strings.HasSuffix(name, strings.ToLower(x)) {
			return true
		}
	}
	return false
}

// PathCause is err without its *fs.PathError wrapper, for an InputError
// that names the path already ("open x.json: no such file" would say it
// twice).
func PathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
