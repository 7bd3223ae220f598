// Package jsonl reads kbsync's own interchange format: JSON Lines with one
// thread per line. Any forum that kbsync does not read natively can be fed
// with a short script that writes this format.
//
// # File
//
// UTF-8, one JSON object per line, lines ending in "\n" (or "\r\n"). Empty
// lines, a final newline (or none) and a leading byte order mark are fine.
// PATH is a file or a folder; in a folder every *.json, *.jsonl and *.ndjson
// file (dot files excepted) is read in name order. A line longer than four
// times the post size cap is rejected, so a runaway script fails loudly
// instead of eating memory.
//
// Two threads, the first solved, the second not:
//
//	{"id":"42","title":"How do I reset my password?","url":"https://forum.example.com/t/42","tags":["account"],"question":{"body":"I forgot it.","format":"markdown","author":"ana","created":"2024-03-01T10:00:00Z"},"answer":{"id":"43","body":"<p>Use <a href=\"https://example.com/reset\">the reset page</a>.</p>","format":"html","author":"bo","created":"2024-03-01T11:00:00Z","accepted_at":"2024-03-02T09:00:00Z","accepted_by":"ana"}}
//	{"id":"44","title":"Is there a dark mode?","question":{"body":"Just asking.","format":"markdown","author":"cy","created":"2024-03-05T08:00:00Z"}}
//
// # Schema
//
// Thread (one line). Required: id, title, question.
//
//	id          string or integer; unique across the files read
//	title       the question title as the asker wrote it
//	question    post (below)
//	answer      post with an id: the accepted answer; absent or null means not solved
//	solutions   [post with an id]: further accepted answers (needs answer)
//	replies     [post]: answers without an accept mark
//	url         permalink of the thread
//	site        the forum's base URL (default: --site)
//	source      name of the origin, e.g. "myforum": accepted and ignored, since
//	            articles carry "jsonl" as their source
//	tags        [string]
//	category    string
//	license     e.g. "CC BY-SA 4.0"
//	lang        e.g. "en"
//	score       integer (votes)
//	views       integer
//	updated     latest change of the thread, RFC 3339
//	closed      true or false
//	locked      true or false
//	status      "" (public), "deleted" or "private": the last two are never published
//	duplicates  [{id, title, url}]: other wordings of the same question (id required)
//
// Post. Required: body, format, author, created.
//
//	id           string or integer (question: defaults to the thread id)
//	url          permalink of the post (question: defaults to the thread url)
//	body         the post text, as the author wrote it
//	format       "markdown" or "html"
//	author       display name; "" for an unknown or deleted user
//	author_id    string or integer
//	created      RFC 3339, e.g. "2024-03-01T10:00:00Z"
//	updated      RFC 3339: when the post was last edited
//	score        integer
//	accepted_at  RFC 3339: when the answer was accepted
//	accepted_by  who accepted it
//
// Fields not listed here are rejected with the line and field name, so that
// a typo in a script is caught rather than silently dropped. As with
// encoding/json, keys match case-insensitively and a repeated key is not
// detected (the last one wins).
// Dates must be RFC 3339 with a time zone. A duplicate id, a missing
// required field and a malformed line are errors naming the file and line.
package jsonl
