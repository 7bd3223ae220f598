package kb

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// A placed record is a new article with its path: the path, the blob hash
// (read alone by eachChange), then the article as the spill writes it.
func appendPlaced(b []byte, path string, a *Article) []byte {
	b = appendString(b, path)
	b = append(b, a.Blob.Hash[:]...)
	return appendArticle(b, a)
}

// placedKey splits a placed record after its path and hash.
func placedKey(rec []byte) (path, hash, rest []byte, ok bool) {
	n, k := binary.Uvarint(rec)
	if k <= 0 || n > uint64(len(rec)-k) || len(rec)-k-int(n) < len(plumbing.ZeroHash) {
		return nil, nil, nil, false
	}
	rec = rec[k:]
	return rec[:n], rec[n : int(n)+len(plumbing.ZeroHash)], rec[int(n)+len(plumbing.ZeroHash):], true
}

func placedPath(rec []byte) (string, plumbing.Hash, error) {
	path, hash, _, ok := placedKey(rec)
	if !ok {
		return "", plumbing.ZeroHash, errRecord
	}
	var h plumbing.Hash
	copy(h[:], hash)
	return string(path), h, nil
}

func decodePlaced(rec []byte, shared interner) (string, plumbing.Hash, *Article, error) {
	path, hash, rest, ok := placedKey(rec)
	if !ok {
		return "", plumbing.ZeroHash, nil, errRecord
	}
	a, err := decodeArticle(rest, shared)
	if err != nil {
		return "", plumbing.ZeroHash, nil, err
	}
	var h plumbing.Hash
	copy(h[:], hash)
	return string(path), h, a, nil
}

// cmpPlaced orders placed records by path. Paths are unique among them.
func cmpPlaced(a, b []byte) int {
	pa, _, _, _ := placedKey(a)
	pb, _, _, _ := placedKey(b)
	return bytes.Compare(pa, pb)
}

// An added record is a new article's manifest line after its identity.
func appendAdded(b []byte, e *Entry) []byte {
	for _, s := range []string{e.Source, e.Site, e.SourceID} {
		b = appendString(b, s)
	}
	line, _ := json.Marshal(e) // a struct of strings cannot fail
	return append(b, line...)
}

// addedKey splits an added record into its identity and its manifest line.
func addedKey(rec []byte) (source, site, id, line []byte, ok bool) {
	var parts [3][]byte
	for i := range parts {
		n, k := binary.Uvarint(rec)
		if k <= 0 || n > uint64(len(rec)-k) {
			return nil, nil, nil, nil, false
		}
		parts[i], rec = rec[k:k+int(n)], rec[k+int(n):]
	}
	return parts[0], parts[1], parts[2], rec, true
}

// cmpAdded orders added records as the manifest lists articles.
func cmpAdded(a, b []byte) int {
	sa, ta, ia, _, _ := addedKey(a)
	sb, tb, ib, _, _ := addedKey(b)
	if c := bytes.Compare(sa, sb); c != 0 {
		return c
	}
	if c := bytes.Compare(ta, tb); c != 0 {
		return c
	}
	if len(ia) != len(ib) && isDigits(string(ia)) && isDigits(string(ib)) {
		return cmp.Compare(len(ia), len(ib))
	}
	return bytes.Compare(ia, ib)
}

// cmpIdentity orders identities by source, site, then id (numeric ids by
// value), as the manifest lists them.
func cmpIdentity(a, b Identity) int {
	if c := strings.Compare(a.Source, b.Source); c != 0 {
		return c
	}
	if c := strings.Compare(a.Site, b.Site); c != 0 {
		return c
	}
	return cmpID(a.ID, b.ID)
}

// cmpID orders numeric ids numerically and others as strings.
func cmpID(a, b string) int {
	if len(a) != len(b) && isDigits(a) && isDigits(b) {
		return cmp.Compare(len(a), len(b))
	}
	return strings.Compare(a, b)
}
