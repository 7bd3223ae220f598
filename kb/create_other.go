//go:build !linux

package kb

import "os"

// createFile creates name, which must not exist, with content.
func createFile(name string, content []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name) // a short file must not pass for the staged bytes
	}
	return err
}

// renameFile renames a staged file into a new knowledge base.
func renameFile(from, to string) error { return os.Rename(from, to) }
