package discourse

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
)

// A /raw/{topic_id} dump is a run of blocks, each
//
//	username | YYYY-MM-DD HH:MM:SS UTC | #n
//	<blank>
//	raw markdown
//	<blank>
//	-------------------------
//	<blank>
var rawHeader = regexp.MustCompile(`^([^|]+) \| (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC \| #(\d+)$`)

const rawSeparator = "-------------------------"

// rawBlock is one post of a /raw/{id} dump.
type rawBlock struct {
	user   string
	at     time.Time // the post's updated_at
	number int
	body   string
	offset int64 // byte offset of the header line
}

// parseRawMD reads a /raw/{id} dump and calls fn for each block in order.
//
// A post's own text may hold a dashes line, or even a header-like line, so
// a block starts only at a header line that directly follows a blank line,
// the separator and a blank line, and carries a post number above the
// previous block's. The caller checks each header against the topic JSON.
func parseRawMD(r io.Reader, limit int, fn func(rawBlock) error) error {
	br := bufio.NewReader(r)
	var (
		off      int64
		cur      *rawBlock
		lines    []string
		size     int
		sawBlock bool
	)
	flush := func(trailer int) error {
		if cur == nil {
			return nil
		}
		body := lines[:len(lines)-trailer]
		if len(body) > 0 && body[0] == "" {
			body = body[1:] // the blank line after the header
		}
		cur.body = strings.TrimRight(strings.Join(body, "\n"), "\n")
		return fn(*cur)
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil && err != io.EOF {
			return err
		}
		if line == "" && err == io.EOF {
			break
		}
		start := off
		off += int64(len(line))
		text := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if blk, ok := rawBlockStart(text, cur, lines); ok {
			trailer := 0
			if cur != nil {
				trailer = 3
			}
			if err := flush(trailer); err != nil {
				return err
			}
			blk.offset = start
			cur, lines, size, sawBlock = blk, nil, 0, true
		} else if cur == nil {
			if strings.TrimSpace(text) != "" {
				return &forum.InputError{Format: forum.Discourse, Offset: start,
					Err:  errors.New("not a /raw/{id} dump: the first line is not \"user | date UTC | #n\""),
					Hint: "save the dump from https://<forum>/raw/{id}, or remove the .raw.md file"}
			}
		} else {
			lines = append(lines, text)
			size += len(text) + 1
			if size > limit+len(rawSeparator)+8 {
				return &forum.InputError{Format: forum.Discourse, Record: fmt.Sprintf("#%d", cur.number),
					Offset: cur.offset, Err: fmt.Errorf("post body is larger than %d bytes", limit), Hint: hintLimit}
			}
		}
		if err == io.EOF {
			break
		}
	}
	if !sawBlock {
		return nil
	}
	return flush(rawTrailer(lines))
}

// rawBlockStart reports whether text opens a new block.
func rawBlockStart(text string, cur *rawBlock, lines []string) (*rawBlock, bool) {
	m := rawHeader.FindStringSubmatch(text)
	if m == nil {
		return nil, false
	}
	n, err := strconv.Atoi(m[3])
	if err != nil || n < 1 {
		return nil, false
	}
	if cur != nil {
		k := len(lines)
		if k < 3 || lines[k-3] != "" || lines[k-2] != rawSeparator || lines[k-1] != "" || n <= cur.number {
			return nil, false
		}
	}
	user := strings.TrimSpace(m[1])
	at, err := time.Parse("2006-01-02 15:04:05", m[2])
	if err != nil {
		return nil, false
	}
	return &rawBlock{user: user, at: at, number: n}, true
}

// rawTrailer counts the closing blank, separator, blank lines of the last
// block (the final blank may be missing).
func rawTrailer(lines []string) int {
	k := len(lines)
	switch {
	case k >= 3 && lines[k-3] == "" && lines[k-2] == rawSeparator && lines[k-1] == "":
		return 3
	case k >= 2 && lines[k-2] == "" && lines[k-1] == rawSeparator:
		return 2
	}
	return 0
}
