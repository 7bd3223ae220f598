package convert

import (
	"bytes"

	htmltomarkdown "github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/marker"
	"golang.org/x/net/html"
)

// quoteFix replaces the blockquote renderer of html-to-markdown v2.5.2,
// which prefixes the lines of a quote with "> " while the newlines of a
// code block inside it are still the library's placeholder (U+F002): the
// code's second and later lines fell out of the quote, and the code block
// lost its bytes. This one prefixes after those placeholders too; the rest
// follows the library's renderer (render_blockquote.go, MIT licence).
type quoteFix struct{}

func (quoteFix) Name() string { return "kbsync-blockquote" }

func (quoteFix) Init(conv *htmltomarkdown.Converter) error {
	conv.Register.RendererFor("blockquote", htmltomarkdown.TagTypeBlock, renderBlockquote, htmltomarkdown.PriorityEarly)
	return nil
}

func renderBlockquote(ctx htmltomarkdown.Context, w htmltomarkdown.Writer, n *html.Node) htmltomarkdown.RenderStatus {
	var buf bytes.Buffer
	ctx.RenderChildNodes(ctx, &buf, n)
	content := bytes.TrimSpace(buf.Bytes())
	if len(content) == 0 {
		return htmltomarkdown.RenderSuccess
	}
	content = trimConsecutiveNewlines(content)
	for _, hard := range []string{"  \n\n", "  \n  \n", "  \n \n"} {
		content = bytes.ReplaceAll(content, []byte(hard), []byte("\n\n"))
	}
	out := make([]byte, 0, len(content)+len(content)/8+4)
	out = append(out, '>', ' ')
	for i := 0; i < len(content); i++ {
		out = append(out, content[i])
		if content[i] == '\n' {
			out = append(out, '>', ' ')
		} else if bytes.HasPrefix(content[i:], marker.BytesMarkerCodeBlockNewline) {
			out = append(out, content[i+1:i+len(marker.BytesMarkerCodeBlockNewline)]...)
			i += len(marker.BytesMarkerCodeBlockNewline) - 1
			out = append(out, '>', ' ')
		}
	}
	w.WriteString("\n\n")
	w.Write(out)
	w.WriteString("\n\n")
	return htmltomarkdown.RenderSuccess
}

// trimConsecutiveNewlines keeps at most two newlines in a row, dropping
// the spaces between the extra ones (as the library's textutils does).
func trimConsecutiveNewlines(in []byte) []byte {
	out := make([]byte, 0, len(in))
	newlines := 0
	spaces := 0
	for _, c := range in {
		switch c {
		case '\n':
			newlines++
			if newlines <= 2 {
				out = append(out, bytes.Repeat([]byte{' '}, spaces)...)
				out = append(out, '\n')
			}
			spaces = 0
		case ' ':
			spaces++
		default:
			newlines = 0
			out = append(out, bytes.Repeat([]byte{' '}, spaces)...)
			out = append(out, c)
			spaces = 0
		}
	}
	return append(out, bytes.Repeat([]byte{' '}, spaces)...)
}
