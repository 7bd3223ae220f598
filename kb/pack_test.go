package kb

import (
	"bytes"
	"compress/zlib"
	"io"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestEncodeRoundTrip checks that an encoded object inflates, with the
// standard library's zlib (as git and go-git read it), to the content, and
// that the hash is git's.
func TestEncodeRoundTrip(t *testing.T) {
	enc := NewEncoder()
	for _, content := range []string{"", "hello\n", strings.Repeat("a FAQ article line\n", 5000)} {
		e := enc.Encode(plumbing.BlobObject, []byte(content))
		zr, err := zlib.NewReader(bytes.NewReader(e.Data))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || string(got) != content {
			t.Fatalf("inflate: %v, %d bytes, want %d", err, len(got), len(content))
		}
		if e.Hash != plumbing.ComputeHash(plumbing.BlobObject, []byte(content)) || e.Size != len(content) {
			t.Errorf("hash or size of %d-byte content", len(content))
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	content := []byte(strings.Repeat("An answer with some words and `code`.\n", 80))
	enc := NewEncoder()
	b.SetBytes(int64(len(content)))
	for range b.N {
		enc.Encode(plumbing.BlobObject, content)
	}
}
