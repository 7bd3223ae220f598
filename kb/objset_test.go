package kb

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// goGitIdx is the index go-git's own writer makes of items.
func goGitIdx(t testing.TB, items []packItem, packSum plumbing.Hash) []byte {
	t.Helper()
	iw := new(idxfile.Writer)
	if err := iw.OnHeader(uint32(len(items))); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		iw.Add(it.hash, uint64(it.off), it.crc)
	}
	if err := iw.OnFooter(packSum); err != nil {
		t.Fatal(err)
	}
	idx, err := iw.Index()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := idxfile.NewEncoder(&b).Encode(idx); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func randomItems(rng *rand.Rand, n int, maxOff int64) []packItem {
	items := make([]packItem, n)
	for i := range items {
		var h plumbing.Hash
		binary.LittleEndian.PutUint64(h[:], rng.Uint64())
		binary.LittleEndian.PutUint64(h[8:], rng.Uint64())
		binary.LittleEndian.PutUint32(h[16:], rng.Uint32())
		items[i] = packItem{hash: h, off: rng.Int64N(maxOff), crc: rng.Uint32()}
	}
	return items
}

// TestWriteIdx holds writeIdx to go-git's encoder, byte for byte: empty,
// small, offsets past 2 GiB (the large-offset table), one object under
// every first byte.
func TestWriteIdx(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	sum := plumbing.Hash(sha1.Sum([]byte("pack")))
	tests := []struct {
		name  string
		items []packItem
	}{
		{"empty", nil},
		{"one", randomItems(rng, 1, 1<<20)},
		{"small offsets", randomItems(rng, 300, 1<<31)},
		{"large offsets", randomItems(rng, 300, 1<<40)},
		{"every fan-out", randomItems(rng, 5000, 1<<33)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := goGitIdx(t, tc.items, sum)
			var got bytes.Buffer
			if err := writeIdx(&got, append([]packItem(nil), tc.items...), sum); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("writeIdx wrote %d bytes, go-git %d; first difference at %d", got.Len(), len(want), firstDiff(got.Bytes(), want))
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestObjectSet adds objects through growth, with hashes that share their
// table position, and finds exactly them.
func TestObjectSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var items []packItem
	var s objectSet
	all := randomItems(rng, 3000, 1)
	for i := range 200 { // same first 8 bytes: one probe chain
		all[i].hash = all[0].hash
		all[i].hash[19] = byte(i)
		all[i].hash[18] = byte(i >> 8)
	}
	for i, it := range all {
		if s.has(items, it.hash) {
			t.Fatalf("object %d found before it was added", i)
		}
		items = append(items, it)
		s.add(items, len(items)-1)
		if !s.has(items, it.hash) {
			t.Fatalf("object %d not found after it was added", i)
		}
	}
	for i, it := range all {
		if !s.has(items, it.hash) {
			t.Fatalf("object %d lost", i)
		}
	}
	other := randomItems(rng, 1000, 1)
	for _, it := range other {
		if s.has(items, it.hash) {
			t.Fatalf("found %s, never added", it.hash)
		}
	}
}

// FuzzWriteIdx compares with go-git's encoder for arbitrary items.
func FuzzWriteIdx(f *testing.F) {
	f.Add(uint64(1), uint16(3), uint8(40))
	f.Add(uint64(2), uint16(0), uint8(10))
	f.Fuzz(func(t *testing.T, seed uint64, n uint16, offBits uint8) {
		rng := rand.New(rand.NewPCG(seed, 0))
		items := randomItems(rng, int(n%2000), 1<<(1+offBits%62))
		sum := plumbing.Hash(sha1.Sum([]byte{byte(seed)}))
		want := goGitIdx(t, items, sum)
		var got bytes.Buffer
		if err := writeIdx(&got, items, sum); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("differs at byte %d", firstDiff(got.Bytes(), want))
		}
	})
}

// TestHashSet adds hashes through growth, including 0 and colliding low
// bits, and finds exactly them.
func TestHashSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var s hashSet
	in := []uint64{0, 1, 1 << 40, 2 << 40, 3 << 40} // 0 shares a slot value with 1; the rest share low bits
	for range 5000 {
		in = append(in, rng.Uint64())
	}
	for i, h := range in {
		s.add(h)
		s.add(h) // twice is once
		if !s.has(h) {
			t.Fatalf("hash %d (%x) not found after it was added", i, h)
		}
	}
	if s.n != len(in)-1 { // 0 and 1 are one
		t.Errorf("%d hashes held, want %d", s.n, len(in)-1)
	}
	for i, h := range in {
		if !s.has(h) {
			t.Fatalf("hash %d (%x) lost", i, h)
		}
	}
	for range 5000 {
		if h := rng.Uint64(); s.has(h) && !slices.Contains(in, h) {
			t.Fatalf("found %x, never added", h)
		}
	}
}
