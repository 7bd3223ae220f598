package stackexchange

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
)

// rowTemplates are real rows of french-meta Posts.xml without their ids.
type rowTemplates struct{ questions, answers []string }

var idAttr = regexp.MustCompile(` (Id|ParentId|AcceptedAnswerId)="[^"]*"`)

// loadTemplates keeps the real rows no longer than maxLen bytes, with the
// attributes that tie posts together removed.
func loadTemplates(tb testing.TB, maxLen int) rowTemplates {
	f, err := os.Open(corpus + "french-meta-2021/Posts.xml")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var rt rowTemplates
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "<row ") || len(line) > maxLen {
			continue
		}
		rest := strings.TrimPrefix(idAttr.ReplaceAllString(line, ""), "<row")
		switch {
		case strings.Contains(rest, ` PostTypeId="1"`):
			rt.questions = append(rt.questions, rest)
		case strings.Contains(rest, ` PostTypeId="2"`):
			rt.answers = append(rt.answers, rest)
		}
	}
	if err := sc.Err(); err != nil || len(rt.questions) == 0 || len(rt.answers) == 0 {
		tb.Fatalf("templates: %v, %d questions, %d answers", err, len(rt.questions), len(rt.answers))
	}
	return rt
}

// writeGenerated writes a Posts.xml of n threads built from real rows with
// fresh ids: question 2i+1 with one answer 2i+2, accepted in every other
// thread (about the share of real dumps). pad, raw escaped HTML, is put in
// front of every body. It returns the file's size.
func writeGenerated(tb testing.TB, path string, n int, rt rowTemplates, pad string) int64 {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(bom + decl + "\r\n<posts>\r\n")
	padded := func(r string) string { return strings.Replace(r, ` Body="`, ` Body="`+pad, 1) }
	for i := 0; i < n; i++ {
		qid, aid := 2*i+1, 2*i+2
		q, a := padded(rt.questions[i%len(rt.questions)]), padded(rt.answers[i%len(rt.answers)])
		if i%2 == 0 {
			fmt.Fprintf(w, "  <row Id=\"%d\" AcceptedAnswerId=\"%d\"%s\r\n", qid, aid, q)
		} else {
			fmt.Fprintf(w, "  <row Id=\"%d\"%s\r\n", qid, q)
		}
		fmt.Fprintf(w, "  <row Id=\"%d\" ParentId=\"%d\"%s\r\n", aid, qid, a)
	}
	w.WriteString("</posts>\r\n")
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return st.Size()
}

// generated makes a dump folder of about mb megabytes from every real row.
func generated(b *testing.B, mb int) (*Dump, string, int64) {
	b.Helper()
	rt := loadTemplates(b, 1<<20)
	avg := 0
	for _, r := range append(rt.questions, rt.answers...) {
		avg += len(r)
	}
	avg /= len(rt.questions) + len(rt.answers)
	dir := filepath.Join(b.TempDir(), "bench.stackexchange.com")
	if err := os.Mkdir(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "Posts.xml")
	size := writeGenerated(b, path, mb<<20/(2*avg+60), rt, "")
	d, err := Open(dir, forum.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return d, path, size
}

// BenchmarkIndex is the first pass over a generated ~50 MB Posts.xml.
func BenchmarkIndex(b *testing.B) {
	d, path, size := generated(b, 50)
	ctx := context.Background()
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		ix, err := d.index(ctx, f, nil, func(*forum.Thread) error { n++; return nil })
		f.Close()
		if err != nil || n == 0 || len(ix.accepted) == 0 {
			b.Fatalf("%v: %d unsolved, %d accepted", err, n, len(ix.accepted))
		}
	}
}

// BenchmarkScanRows and BenchmarkEncodingXML read the same bytes: the
// scanner validating every attribute, encoding/xml tokenising strictly.
func BenchmarkScanRows(b *testing.B) {
	_, path, size := generated(b, 50)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		sc := newRowScanner(f, defaultRowLimit, streamBuf)
		for {
			ok, err := sc.Next()
			if err == nil && ok {
				err = sc.validateAll()
			}
			if err != nil {
				b.Fatal(err)
			}
			if !ok {
				break
			}
		}
		f.Close()
	}
}

func BenchmarkEncodingXML(b *testing.B) {
	_, path, size := generated(b, 50)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		d := xml.NewDecoder(bufio.NewReaderSize(f, streamBuf))
		d.Strict = true
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		f.Close()
	}
}

// BenchmarkThreads is the whole reader: both passes, every thread built.
func BenchmarkThreads(b *testing.B) {
	d, _, size := generated(b, 50)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := d.Threads(context.Background(), func(*forum.Thread) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// defaultRowLimit is the row limit Open sets with default options.
const defaultRowLimit = forum.DefaultMaxPostBytes*2 + 64<<10

// heapDuring reads the whole dump and reports the HeapInuse before reading,
// the peak HeapInuse seen by a sampler and by the yield callback, and the
// peak live heap (marked by the last collection) the sampler saw.
//
// GOGC is lowered meanwhile: at the default the runtime lets the heap reach
// 4 MB and then twice the live data before collecting, and that headroom,
// not the reader, would decide the peaks being compared.
func heapDuring(t *testing.T, d *Dump) (base, peak, live uint64, threads, solved int) {
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base = ms.HeapInuse
	peaks := make(chan [2]uint64)
	stop := make(chan struct{})
	go func() {
		var top, live uint64
		var ms runtime.MemStats
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				peaks <- [2]uint64{top, live}
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				top = max(top, ms.HeapInuse)
				metrics.Read(sample)
				live = max(live, sample[0].Value.Uint64())
			}
		}
	}()
	err := d.Threads(context.Background(), func(th *forum.Thread) error {
		if threads++; threads%2000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		if th.Skip == "" {
			solved++
		}
		return nil
	})
	close(stop)
	p := <-peaks
	peak, live = max(peak, p[0]), p[1]
	if err != nil {
		t.Fatal(err)
	}
	return base, peak, live, threads, solved
}

var rawBody = regexp.MustCompile(` Body="([^"]*)"`)

// Memory must not follow the size of Posts.xml: the reader holds one row at
// a time per worker, a batch of read-back threads bounded in bytes, plus an
// index of ids and offsets per accepted thread. Three
// generated dumps of short real rows are read:
//
//	small:  20k threads
//	padded: the same 20k threads, every body longer, ten times the bytes
//	large:  200k threads, ten times the bytes and the threads
//
// small vs padded is flat in input size: peak HeapInuse under twice. small
// vs large adds the index for 180k threads; the test asserts it grows the
// heap by under a quarter of what each thread adds to the file (a reader
// that kept bodies or rows would grow by more than the file) and logs the
// ratio of the peaks.
func TestMemoryFlatInInputSize(t *testing.T) {
	// Each P caches spans of every size class it allocates, so the runtime's
	// own overhead follows the core count; pin it so that the comparison
	// measures the file size and nothing else on any machine.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rt := loadTemplates(t, 600) // short real rows keep the files small
	long := loadTemplates(t, 1<<20)
	var pad string
	for _, r := range long.answers { // a real body of 1 to 2 KB, repeated
		if m := rawBody.FindStringSubmatch(r); m != nil && len(m[1]) > 1000 && len(m[1]) < 2000 {
			pad = m[1]
			break
		}
	}
	if pad == "" {
		t.Fatal("no body of 1 to 2 KB in the corpus")
	}
	tmp := t.TempDir()
	type result struct {
		name       string
		n          int
		size       int64
		base, peak uint64
	}
	measure := func(name string, n int, pad string) result {
		dir := filepath.Join(tmp, name+".stackexchange.com")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		size := writeGenerated(t, filepath.Join(dir, "Posts.xml"), n, rt, pad)
		d, err := Open(dir, forum.Options{})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		base, peak, live, threads, solved := heapDuring(t, d)
		if threads != n || solved != (n+1)/2 {
			t.Fatalf("%s: read %d threads, %d solved; want %d", name, threads, solved, n)
		}
		t.Logf("%-6s %7d threads, %5.1f MB Posts.xml: HeapInuse %3.1f MB before, peak %4.1f MB; peak live heap %4.1f MB; read in %v",
			name, n, float64(size)/1e6, float64(base)/1e6, float64(peak)/1e6, float64(live)/1e6, time.Since(start).Round(time.Millisecond))
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		return result{name, n, size, base, peak}
	}
	small := measure("small", 20_000, "")
	// Enough copies of the real body to make the file ten times larger.
	perRow := float64(small.size) / float64(2*small.n)
	padded := measure("padded", 20_000, strings.Repeat(pad, int(9*perRow)/len(pad)+1))
	large := measure("large", 200_000, "")

	if padded.size < 9*small.size {
		t.Fatalf("the padded dump is only %.1f times the small one", float64(padded.size)/float64(small.size))
	}
	if padded.peak >= 2*small.peak {
		t.Errorf("flat in input size: peak HeapInuse %.1f MB for %.0f MB of Posts.xml is not under twice the %.1f MB for %.0f MB",
			float64(padded.peak)/1e6, float64(padded.size)/1e6, float64(small.peak)/1e6, float64(small.size)/1e6)
	}
	extra := float64(large.n - small.n)
	heapPerThread := (float64(large.peak) - float64(small.peak)) / extra
	filePerThread := float64(large.size-small.size) / extra
	t.Logf("ten times the threads: peak %.2f times; %.0f bytes of heap per extra thread (the index of ids and offsets, with its map and GC headroom) vs %.0f bytes of file",
		float64(large.peak)/float64(small.peak), heapPerThread, filePerThread)
	if heapPerThread >= filePerThread/4 {
		t.Errorf("the heap grows by %.0f bytes per thread, not under a quarter of the %.0f bytes each thread adds to the file", heapPerThread, filePerThread)
	}
}
