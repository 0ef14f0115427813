package codegen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"go/token"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/a-h/parse"
	"github.com/a-h/templ/cmd/templ/generatecmd"
	templgen "github.com/a-h/templ/generator"
	templparser "github.com/a-h/templ/parser/v2"
)

// GenerateTempl runs templ generate on the app in dir, writing the
// _templ.go files its Go packages are built from, as Generate does first.
// A .templ file templ cannot parse comes back as an ErrorList,
// app/x/page.templ:line:col: message, like every other problem in an app.
func GenerateTempl(ctx context.Context, dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	return templGenerate(ctx, dir, filepath.Join(dir, "app"))
}

// templGenerate runs templ's generator on appDir, in process, and writes
// the _templ.go files the app in dir is built from.
func templGenerate(ctx context.Context, dir, appDir string) error {
	var stderr bytes.Buffer
	err := generatecmd.Run(ctx, io.Discard, &stderr, []string{"-path", appDir, "-log-level", "error"})
	if err != nil {
		// templ's log says "parsing error: ...: line 7, col 0", its own
		// words and a 0-based column: find the files again, for
		// positions editors can jump to.
		if errs := templParseErrors(dir, appDir); len(errs) > 0 {
			return errs.err()
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("templ generate: %s", msg)
	}
	return nil
}

// templParseErrors parses the .templ files under appDir and returns their
// syntax errors, positioned relative to dir.
func templParseErrors(dir, appDir string) ErrorList {
	var errs ErrorList
	filepath.WalkDir(appDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".templ") {
			return nil
		}
		_, err = templparser.Parse(path)
		var pe parse.ParseError
		if errors.As(err, &pe) {
			// templ counts lines and columns from 0 (and prints the
			// column so), go/token from 1.
			pos := token.Position{Filename: relative(dir, path), Offset: pe.Pos.Index, Line: pe.Pos.Line + 1, Column: pe.Pos.Col + 1}
			errs.add(pos, "%s", pe.Msg)
		} else if err != nil {
			errs.addIn(relative(dir, path), "%v", err)
		}
		return nil
	})
	return errs
}

// templSources maps positions in the _templ.go files of an app back to the
// .templ files they were generated from, so that an error in templ's
// output points where the user can fix it.
//
// templ's generator returns a source map from its output to the .templ
// file, but templ generate gofmts that output before writing it, which
// moves lines and columns. So a position in a written file is first
// matched to a token of the generator's output, generated again in
// memory: gofmt changes whitespace and semicolons, and the order of
// imports in a block, never the other tokens. (Type-checking the
// generator's output instead, as a go/packages overlay, would need no
// matching, but any overlay makes go/packages type-check every dependency
// from source: seconds instead of a fraction of one.)
type templSources struct {
	appDir string
	files  map[string]*templFile // by absolute _templ.go path; nil: cannot be mapped
}

func newTemplSources(appDir string) *templSources {
	return &templSources{appDir: appDir, files: make(map[string]*templFile)}
}

// templFile is one .templ file, its generated code and its written file.
type templFile struct {
	sourceMap *templparser.SourceMap
	code      *token.File // the generator's output, which sourceMap maps
	written   *token.File // the _templ.go file on disk
	// toCode maps each token of the written file to the same token of
	// the code, by index in writtenTokens and codeTokens; -1 when there
	// is none.
	writtenTokens, codeTokens []goToken
	toCode                    []int
}

// position maps p, an absolute position in a Go file, to where the code
// there came from: for a _templ.go file, the .templ file at the line and
// column of the templ code the Go came from. Go that templ wrote itself
// (its render boilerplate) has no place in the .templ file, so p maps to
// the file alone then.
func (t *templSources) position(p token.Position) token.Position {
	if !strings.HasSuffix(p.Filename, "_templ.go") {
		return p
	}
	source := strings.TrimSuffix(p.Filename, "_templ.go") + ".templ"
	if _, err := os.Stat(source); err != nil {
		return p // not templ's: a hand-written file with that name
	}
	src := token.Position{Filename: source}
	f, ok := t.files[p.Filename]
	if !ok {
		f = t.load(source, p.Filename)
		t.files[p.Filename] = f
	}
	if f == nil || p.Line < 1 || p.Line > f.written.LineCount() {
		return src
	}
	offset := int(f.written.LineStart(p.Line)) - f.written.Base() + max(p.Column-1, 0)
	codeOffset, ok := f.codeOffset(offset)
	if !ok {
		return src
	}
	// templ counts lines and columns from 0, go/token from 1.
	at := f.code.Position(f.code.Pos(codeOffset))
	line, col := uint32(at.Line-1), uint32(at.Column-1)
	s, ok := f.sourceMap.SourcePositionFromTarget(line, col)
	if !ok {
		// Left of the templ code on its line (say, at the call templ
		// wrapped an expression in): the code's start is the nearest
		// place in the .templ file.
		cols := f.sourceMap.TargetLinesToSource[line]
		if len(cols) == 0 {
			return src
		}
		s = cols[slices.Min(slices.Collect(maps.Keys(cols)))]
	}
	src.Offset, src.Line, src.Column = int(s.Index), int(s.Line)+1, int(s.Col)+1
	return src
}

// load generates the code of source again, as templ generate -path appDir
// did, and matches it with what is written in goFile; nil if it cannot.
func (t *templSources) load(source, goFile string) *templFile {
	tf, err := templparser.Parse(source)
	if err != nil {
		return nil
	}
	name, err := filepath.Rel(t.appDir, source)
	if err != nil {
		return nil
	}
	var code bytes.Buffer
	out, err := templgen.Generate(tf, &code, templgen.WithFileName(filepath.ToSlash(name)))
	if err != nil {
		return nil
	}
	written, err := os.ReadFile(goFile)
	if err != nil {
		return nil
	}
	f := &templFile{sourceMap: out.SourceMap}
	fset := token.NewFileSet()
	f.code, f.codeTokens = scanTokens(fset, code.Bytes())
	f.written, f.writtenTokens = scanTokens(fset, written)
	f.toCode = matchTokens(f.writtenTokens, f.codeTokens)
	return f
}

// codeOffset returns the offset in the code of what is at offset in the
// written file.
func (f *templFile) codeOffset(offset int) (int, bool) {
	// The written token at or before offset.
	i, found := slices.BinarySearchFunc(f.writtenTokens, offset, func(t goToken, offset int) int { return t.offset - offset })
	if !found {
		i--
	}
	if i < 0 || f.toCode[i] < 0 {
		return 0, false
	}
	w, c := f.writtenTokens[i], f.codeTokens[f.toCode[i]]
	return c.offset + min(offset-w.offset, c.size), true
}

// goToken is a token of a Go file, as matched between the code templ
// generates and the file gofmt makes of it.
type goToken struct {
	offset, size int
	tok          token.Token
	lit          string
}

func (t goToken) same(u goToken) bool { return t.tok == u.tok && t.lit == u.lit }

// scanTokens returns the tokens of src but semicolons, which gofmt adds
// (splitting "return err }" over two lines) and drops.
func scanTokens(fset *token.FileSet, src []byte) (*token.File, []goToken) {
	file := fset.AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, 0)
	var tokens []goToken
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return file, tokens
		}
		if tok == token.SEMICOLON {
			continue
		}
		size := len(lit)
		if lit == "" {
			size = len(tok.String())
		}
		tokens = append(tokens, goToken{offset: file.Offset(pos), size: size, tok: tok, lit: lit})
	}
}

// matchTokens matches each of written's tokens with the same token of
// code, or -1. The two are the same tokens in the same order, but for the
// import blocks, which gofmt sorts (and drops duplicates in): the longest
// common start and end match one to one.
func matchTokens(written, code []goToken) []int {
	match := make([]int, len(written))
	start := 0
	for start < len(written) && start < len(code) && written[start].same(code[start]) {
		match[start] = start
		start++
	}
	end := 0 // tokens matched at the end
	for end < len(written)-start && end < len(code)-start && written[len(written)-1-end].same(code[len(code)-1-end]) {
		match[len(written)-1-end] = len(code) - 1 - end
		end++
	}
	// Between them, a token with a literal (an import path, an alias)
	// that is one of a kind there.
	between := make(map[goToken]int) // token without offset -> index in code, or -1 for several
	for j := start; j < len(code)-end; j++ {
		key := goToken{tok: code[j].tok, lit: code[j].lit}
		if _, ok := between[key]; ok {
			between[key] = -1
		} else {
			between[key] = j
		}
	}
	for i := start; i < len(written)-end; i++ {
		match[i] = -1
		if j, ok := between[goToken{tok: written[i].tok, lit: written[i].lit}]; ok && written[i].lit != "" {
			match[i] = j
		}
	}
	return match
}

// relative returns path relative to base and slash-separated, for
// messages; or path itself if it is not below base.
func relative(base, path string) string {
	rel, err := filepath.Rel(base, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}
