//go:build linux

package kb

import (
	"os"
	"syscall"
)

// createFile creates name, which must not exist, with content. A first
// sync creates one file per article from the workers: an *os.File costs
// an allocation, a finalizer and a failed poller registration per file
// (0.3 s of CPU at 100,000 files), which plain system calls do without.
// Errors are *os.PathError wrapping the errno, so errors.Is(err,
// os.ErrExist) and os.ErrNotExist work as with os.OpenFile.
func createFile(name string, content []byte) error {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o644)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return &os.PathError{Op: "open", Path: name, Err: err}
	}
	for len(content) > 0 && err == nil {
		var n int
		n, err = syscall.Write(fd, content)
		if err == syscall.EINTR {
			err = nil
			continue
		}
		if err == nil && n == 0 {
			err = syscall.EIO // a regular file does not take zero bytes
		}
		if n > 0 {
			content = content[n:]
		}
	}
	if cerr := syscall.Close(fd); err == nil && cerr != nil && cerr != syscall.EINTR {
		err = cerr
	}
	if err != nil {
		syscall.Unlink(name) // a short file must not pass for the staged bytes
		return &os.PathError{Op: "write", Path: name, Err: err}
	}
	return nil
}

// renameFile renames a staged file into a new knowledge base. os.Rename
// first stats the new name, to refuse a folder there, which rename(2)
// refuses as well: one system call of two, on the commit's single thread.
func renameFile(from, to string) error {
	if err := syscall.Rename(from, to); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}
