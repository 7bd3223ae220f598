package forum

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestExportFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.json", "A.JSON", ".hidden.json", "notes.txt", "c.jsonl", "d.ndjson", "e.json.bak", "sub.json/x.json"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	empty := t.TempDir()
	in := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, filepath.Join(dir, n))
		}
		return out
	}
	tests := []struct {
		name   string
		path   string
		exts   []string
		want   []string
		isDir  bool
		errNot bool // want an error that is fs.ErrNotExist
	}{
		{"a file is itself, whatever its name", filepath.Join(dir, "notes.txt"), []string{".json"}, in("notes.txt"), false, false},
		{"folder: name order, any case, no dot files or subfolders", dir, []string{".json"}, in("A.JSON", "b.json"), true, false},
		{"several endings", dir, []string{".json", ".jsonl", ".ndjson"}, in("A.JSON", "b.json", "c.jsonl", "d.ndjson"), true, false},
		{"endings given in upper case", dir, []string{".JSONL"}, in("c.jsonl"), true, false},
		{"empty folder: no files, no error", empty, []string{".json"}, nil, true, false},
		{"missing path", filepath.Join(dir, "nope.json"), []string{".json"}, nil, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, isDir, err := ExportFiles(tt.path, tt.exts...)
			if tt.errNot != errors.Is(err, fs.ErrNotExist) || (!tt.errNot && err != nil) {
				t.Fatalf("error %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) || isDir != tt.isDir {
				t.Errorf("got %q, isDir %v; want %q, %v", got, isDir, tt.want, tt.isDir)
			}
		})
	}
}

func TestPathCause(t *testing.T) {
	plain := errors.New("plain")
	_, statErr := os.Stat(filepath.Join(t.TempDir(), "missing"))
	tests := []struct {
		in   error
		want string // "" for nil
	}{
		{statErr, "no such file or directory"}, // the path is not repeated
		{&fs.PathError{Op: "open", Path: "x", Err: plain}, "plain"},
		{plain, "plain"},
		{nil, ""},
	}
	for _, tt := range tests {
		got := PathCause(tt.in)
		if (got == nil) != (tt.want == "") || (got != nil && got.Error() != tt.want) {
			t.Errorf("PathCause(%v) = %v, want %q", tt.in, got, tt.want)
		}
	}
}
