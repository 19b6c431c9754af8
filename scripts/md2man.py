#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""md2man: builds keel's man pages from the markdown references in docs/.

Usage: scripts/md2man.py [LIST [OUTDIR]]     (defaults: man/pages.txt, man)

LIST (man/pages.txt) names each page and the parts of docs/*.md it is made
of; see the comments in that file. The pages are written to OUTDIR as
NAME.SECTION. Only what the references use is understood: ATX headings,
paragraphs, bullet and numbered lists, tables (GitHub's pipe tables), fenced
and indented code blocks, inline code, **bold**, *italics* and links.
The output depends only on the inputs (no clock, no environment), so
regenerating gives the same bytes.
"""
import os
import re
import sys

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

# Characters the references use beyond ASCII, as roff escapes: portable to
# every formatter whatever its input encoding.
SPECIAL = {
    '\u2014': '\\(em', '\u2013': '\\(en', '\u2192': '\\(->', '\u2190': '\\(<-',
    '\u00d7': '\\(mu', '\u00b5': '\\(mc', '\u2026': '.\\|.\\|.', '\u2265': '\\(>=',
    '\u2264': '\\(<=', '\u2018': '\\(oq', '\u2019': '\\(cq', '\u201c': '\\(lq',
    '\u201d': '\\(rq', '\u00a0': '\\ ', '\u00b0': '\\(de',
}


class Error(Exception):
    pass


# ---------------------------------------------------------------- markdown

def slug(text):
    """GitHub's anchor for a heading."""
    s = text.strip().lower()
    s = re.sub(r'[^\w\- ]', '', s)
    return s.replace(' ', '-')


def split_row(line):
    """Cells of a pipe-table row: split on unescaped '|', then unescape."""
    s = line.strip()
    if s.startswith('|'):
        s = s[1:]
    if s.endswith('|') and not s.endswith('\\|'):
        s = s[:-1]
    cells, cur, i = [], '', 0
    while i < len(s):
        if s[i] == '\\' and i + 1 < len(s) and s[i + 1] == '|':
            cur += '|'
            i += 2
            continue
        if s[i] == '|':
            cells.append(cur.strip())
            cur = ''
        else:
            cur += s[i]
        i += 1
    cells.append(cur.strip())
    return cells


def row_open(line):
    """A table row whose text goes on on the next line (no closing '|')."""
    s = line.rstrip()
    return not (s.endswith('|') and not s.endswith('\\|'))


LIST_RE = re.compile(r'^(?:([-*+])|(\d+)[.)])\s+(.*)$')
FENCE_RE = re.compile(r'^(```+|~~~+)')
HEAD_RE = re.compile(r'^(#{1,6})\s+(.*?)\s*#*\s*$')
DELIM_RE = re.compile(r'^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$')


def parse(text, path):
    """Markdown text into a list of blocks:
    ('h', level, text), ('p', text), ('code', [lines]),
    ('list', ordered, [item texts]), ('table', header, [rows])."""
    lines = text.split('\n')
    blocks = []
    i, n = 0, len(lines)

    def starts_block(j):
        ln = lines[j]
        if not ln.strip():
            return True
        if HEAD_RE.match(ln) or FENCE_RE.match(ln) or LIST_RE.match(ln):
            return True
        if ln.startswith('|') and j + 1 < n and DELIM_RE.match(lines[j + 1]):
            return True
        return False

    while i < n:
        ln = lines[i]
        if not ln.strip():
            i += 1
            continue
        m = HEAD_RE.match(ln)
        if m:
            blocks.append(('h', len(m.group(1)), m.group(2)))
            i += 1
            continue
        m = FENCE_RE.match(ln)
        if m:
            fence = m.group(1)
            body = []
            i += 1
            while i < n and not lines[i].startswith(fence):
                body.append(lines[i])
                i += 1
            if i >= n:
                raise Error('%s: unterminated code fence' % path)
            i += 1
            blocks.append(('code', body))
            continue
        if ln.startswith('    ') or ln.startswith('\t'):
            body = []
            while i < n and (lines[i].startswith('    ') or lines[i].startswith('\t')
                             or not lines[i].strip()):
                body.append(lines[i][4:] if lines[i].startswith('    ') else lines[i][1:])
                i += 1
            while body and not body[-1].strip():
                body.pop()
            blocks.append(('code', body))
            continue
        if ln.startswith('|') and i + 1 < n and DELIM_RE.match(lines[i + 1]):
            header = split_row(ln)
            i += 2
            rows = []
            while i < n and lines[i].strip():
                row = lines[i]
                i += 1
                # a row broken over several lines goes on until its closing '|'
                while row_open(row) and i < n and lines[i].strip():
                    row += ' ' + lines[i].strip()
                    i += 1
                rows.append(split_row(row))
            blocks.append(('table', header, rows))
            continue
        m = LIST_RE.match(ln)
        if m:
            ordered = m.group(2) is not None
            items = []
            while i < n:
                m = LIST_RE.match(lines[i])
                if not m or (m.group(2) is not None) != ordered:
                    break
                item = [m.group(3)]
                i += 1
                while i < n and lines[i].strip() and not starts_block(i):
                    item.append(lines[i].strip())
                    i += 1
                items.append(' '.join(item))
                # items separated by blank lines still form one list
                j = i
                while j < n and not lines[j].strip():
                    j += 1
                if j < n and LIST_RE.match(lines[j]) and j > i:
                    i = j
            blocks.append(('list', ordered, items))
            continue
        para = [ln.strip()]
        i += 1
        while i < n and lines[i].strip() and not starts_block(i):
            para.append(lines[i].strip())
            i += 1
        blocks.append(('p', ' '.join(para)))
    return blocks


def sections(blocks):
    """Anchors of the headings: index of each heading block by slug (GitHub
    numbers repeated slugs: x, x-1, x-2)."""
    seen, out = {}, {}
    for k, b in enumerate(blocks):
        if b[0] != 'h':
            continue
        s = slug(b[2])
        if s in seen:
            seen[s] += 1
            s = '%s-%d' % (s, seen[s])
        else:
            seen[s] = 0
        out[s] = k
    return out


def section_end(blocks, k):
    level = blocks[k][1]
    j = k + 1
    while j < len(blocks) and not (blocks[j][0] == 'h' and blocks[j][1] <= level):
        j += 1
    return j


def select(blocks, anchor, excluded, path):
    """The blocks of one section (with its heading), or the whole file less
    the excluded sections."""
    idx = sections(blocks)
    for a in ([anchor] if anchor else []) + excluded:
        if a not in idx:
            raise Error('%s: no section #%s' % (path, a))
    if anchor:
        k = idx[anchor]
        part = blocks[k:section_end(blocks, k)]
    else:
        part = list(blocks)
    drop = set()
    for a in excluded:
        k = idx[a]
        drop.update(range(k, section_end(blocks, k)))
    base = idx[anchor] if anchor else 0
    return [b for j, b in enumerate(part) if j + base not in drop]


# ---------------------------------------------------------------- roff

def esc(text):
    """Plain text as roff text (no formatting)."""
    out = []
    for c in text:
        if c == '\\':
            out.append('\\e')
        elif c == '-':
            out.append('\\-')
        elif c in SPECIAL:
            out.append(SPECIAL[c])
        elif ord(c) > 127:
            out.append('\\[u%04X]' % ord(c))
        else:
            out.append(c)
    return ''.join(out)


class Page:
    def __init__(self, name, section, title):
        self.name, self.section, self.title = name, section, title
        self.sources = []          # (path, anchor, [excluded], heading)


class Converter:
    def __init__(self, pages, date):
        self.pages = pages
        self.date = date
        # where a doc is referred to: the first page made of the whole file,
        # else the first page made of a part of it
        self.docpage = {}
        for whole in (True, False):
            for p in pages:
                for path, anchor, _, _ in p.sources:
                    base = os.path.basename(path)
                    if (anchor is None) == whole and base not in self.docpage:
                        self.docpage[base] = p
        self.page = None
        self.refs = []             # references found in the text being converted

    def ref(self, target_text):
        """A doc's file name as a man page reference, or None."""
        m = re.fullmatch(r'(?:\.\./)?(?:docs/)?([\w-]+\.md)(?:#[\w-]*)?', target_text)
        if not m:
            return None
        p = self.docpage.get(m.group(1))
        if p is None or p is self.page:
            return None
        return '\\fB%s\\fP(%s)' % (esc(p.name), p.section)

    def inline(self, text):
        """Markdown inline text as roff: code spans, emphasis, links."""
        def link(m):
            label, target = m.group(1), m.group(2)
            r = self.ref(label.strip('`')) or self.ref(target)
            if r and re.fullmatch(r'`?[\w./-]+\.md`?', label):
                self.refs.append(r)
                return '\x00R%d\x00' % (len(self.refs) - 1)
            return label
        text = re.sub(r'\[([^\]]+)\]\(([^)\s]+)\)', link, text)
        out = []
        pos = 0
        # then code spans: nothing inside them is markdown
        for m in re.finditer(r'(`+)(.+?)\1', text):
            out.append(self.spans(text[pos:m.start()]))
            code = m.group(2)
            if code.startswith(' ') and code.endswith(' ') and code.strip():
                code = code[1:-1]
            r = self.ref(code)
            out.append(r if r else '\\fB%s\\fP' % esc(code))
            pos = m.end()
        out.append(self.spans(text[pos:]))
        return ''.join(out)

    def spans(self, text):
        """Text without code spans or links: doc names, **bold**, *italics*."""
        # bare doc names (docs/logging.md, services.md) become references too
        def bare(m):
            r = self.ref(m.group(0))
            if not r:
                return m.group(0)
            self.refs.append(r)
            return '\x00R%d\x00' % (len(self.refs) - 1)
        text = re.sub(r'(?<![\w/.])(?:\.\./)?(?:docs/)?[\w-]+\.md\b', bare, text)
        text = re.sub(r'\\([\\`*_{}\[\]()#+\-.!|])', lambda m: '\x00E%s\x00' % m.group(1), text)
        parts = re.split(r'(\x00[RE][^\x00]*\x00)', text)
        out = []
        for part in parts:
            if part.startswith('\x00R'):
                out.append(self.refs[int(part[2:-1])])
                continue
            if part.startswith('\x00E'):
                out.append(esc(part[2:-1]))
                continue
            s = esc(part)
            s = re.sub(r'\*\*(.+?)\*\*', r'\\fB\1\\fP', s)
            s = re.sub(r'(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])', r'\\fI\1\\fP', s)
            out.append(s)
        return ''.join(out)

    @staticmethod
    def lines(text):
        """Roff text cut into lines of about 78 columns at blanks; no line
        starts with a control character or a blank."""
        words = text.split(' ')
        out, cur = [], ''
        for w in words:
            if not w:
                continue
            if cur and len(cur) + 1 + len(w) > 78:
                out.append(cur)
                cur = w
            else:
                cur = cur + ' ' + w if cur else w
        if cur:
            out.append(cur)
        return [('\\&' + ln) if ln[0] in ".'" else ln for ln in out]

    def code(self, body):
        out = ['.PP', '.RS 4', '.nf']
        for ln in body:
            ln = ln.replace('\t', '        ')
            s = esc(ln.rstrip())
            if not s:
                s = '\\&'
            elif s[0] in ".'":
                s = '\\&' + s
            out.append(s)
        out += ['.fi', '.RE']
        return out

    def table(self, header, rows):
        ncol = len(header)
        rows = [(r + [''] * ncol)[:ncol] for r in rows]
        def visible(t):
            return len(re.sub(r'[`*]|\[([^\]]*)\]\([^)]*\)', lambda m: m.group(1) or '', t))
        width = [max([visible(header[c])] + [visible(r[c]) for r in rows]) for c in range(ncol)]
        # the longest column and any other long one wrap (text blocks) and
        # share what the short ones leave
        wide = [w > 30 for w in width]
        wide[width.index(max(width))] = True
        fmt = ' '.join('lbx' if wide[c] else 'lb' for c in range(ncol))
        fmt2 = ' '.join('lx' if wide[c] else 'l' for c in range(ncol))
        out = ['.PP', '.TS', 'allbox tab(\t);', fmt, fmt2 + '.']

        def cell(text, c):
            s = self.inline(text)
            if not s:
                return ''
            if wide[c]:
                return 'T{\n' + '\n'.join(self.lines(s)) + '\nT}'
            if s in ('_', '=', '\\_', '\\^') or s[0] in ".'":
                s = '\\&' + s
            return s
        out.append('\t'.join(cell(h, c) for c, h in enumerate(header)))
        for r in rows:
            out.append('\t'.join(cell(x, c) for c, x in enumerate(r)))
        out += ['.TE', '.sp']
        return out

    def heading(self, text):
        t = re.sub(r'`([^`]*)`', r'\1', text)
        t = re.sub(r'\s*\(reference\)\s*$', '', t)
        return esc(t).replace('"', '\\(dq')

    def blocks(self, blocks, first, heading):
        """roff lines of one part of a page. A part's top heading is at
        depth 0; in the page's first part it gives way to DESCRIPTION (and
        a code block right under it is the SYNOPSIS)."""
        out = []
        base = blocks[0][1] if blocks and blocks[0][0] == 'h' else 1
        k = 0
        if blocks and blocks[0][0] == 'h':
            if first:
                if len(blocks) > 1 and blocks[1][0] == 'code':
                    out += ['.SH SYNOPSIS', '.nf']
                    out += [('\\&' + esc(ln)) if ln[:1] in ".'" else esc(ln) for ln in blocks[1][1]]
                    out.append('.fi')
                    k = 2
                else:
                    k = 1
                # a part whose text starts with a heading has no description of its own
                if k < len(blocks) and blocks[k][0] != 'h':
                    out.append('.SH DESCRIPTION')
            else:
                out.append('.SH "%s"' % (heading or self.heading(blocks[0][2]).upper()))
                k = 1
        for b in blocks[k:]:
            if b[0] == 'h':
                depth = b[1] - base
                if depth <= 0 or (depth == 1 and first):
                    out.append('.SH "%s"' % self.heading(b[2]).upper())
                else:
                    out.append('.SS "%s"' % self.heading(b[2]))
            elif b[0] == 'p':
                out.append('.PP')
                out += self.lines(self.inline(b[1]))
            elif b[0] == 'code':
                out += self.code(b[1])
            elif b[0] == 'list':
                ordered, items = b[1], b[2]
                for j, it in enumerate(items):
                    out.append('.IP %s 4' % ('%d.' % (j + 1) if ordered else '\\(bu'))
                    out += self.lines(self.inline(it))
            elif b[0] == 'table':
                out += self.table(b[1], b[2])
        return out

    def render(self, page):
        self.page = page
        body = []
        sources = []
        for n, (path, anchor, excluded, heading) in enumerate(page.sources):
            full = os.path.join(TOP, path)
            try:
                with open(full, encoding='utf-8') as f:
                    text = f.read()
            except OSError as e:
                raise Error('%s(%s): %s: %s' % (page.name, page.section, path, e.strerror))
            blocks = parse(text, path)
            part = select(blocks, anchor, excluded, path)
            if not part:
                raise Error('%s: nothing left of %s' % (page.name, path))
            body += self.blocks(part, n == 0, heading)
            if path not in sources:
                sources.append(path)
        others = sorted((p for p in self.pages if p is not page),
                        key=lambda p: (p.section, p.name))
        body.append('.SH "SEE ALSO"')
        body.append(',\n'.join('.BR %s (%s)' % (esc(p.name), p.section) for p in others))
        tidy = []
        for ln in body:
            if ln == '.PP' and tidy and tidy[-1].startswith(('.SH', '.SS', '.sp')):
                continue
            if ln == '.sp' and tidy and tidy[-1].startswith(('.SH', '.SS')):
                continue
            tidy.append(ln)
        body = tidy
        head = []
        if any(ln == '.TS' for ln in body):
            head.append("'\\\" t")
        head.append('.\\" Generated by scripts/md2man.py from %s: edit those, then run make man.'
                    % ', '.join(sources))
        head.append('.TH "%s" "%s" "%s" "keel" "keel manual"'
                    % (esc(page.name.upper()), page.section, self.date))
        # left-aligned, no hyphenation: commands and paths stay whole
        head.append('.ad l')
        head.append('.nh')
        head.append('.SH NAME')
        head.append('%s \\- %s' % (esc(page.name), self.inline(page.title)))
        return '\n'.join(head + body) + '\n'


def read_list(path):
    """man/pages.txt: `date YYYY-MM-DD`; a page line `NAME SECTION TITLE...`;
    under it, indented, one part a line: `FILE[#ANCHOR][!ANCHOR...] [= HEADING]`."""
    pages, date = [], None
    with open(path, encoding='utf-8') as f:
        for no, raw in enumerate(f, 1):
            line = raw.rstrip('\n')
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            where = '%s:%d' % (path, no)
            if line[0] in ' \t':
                if not pages:
                    raise Error('%s: a part before any page' % where)
                spec, _, heading = line.strip().partition(' = ')
                spec = spec.strip()
                m = re.fullmatch(r'([^#!\s]+)(?:#([\w-]+))?((?:![\w-]+)*)', spec)
                if not m:
                    raise Error('%s: bad part "%s"' % (where, spec))
                excluded = [x for x in m.group(3).split('!') if x]
                pages[-1].sources.append((m.group(1), m.group(2), excluded,
                                          esc(heading.strip()) if heading else None))
                continue
            words = line.split()
            if words[0] == 'date' and len(words) == 2:
                if not re.fullmatch(r'\d{4}-\d\d-\d\d', words[1]):
                    raise Error('%s: date is YYYY-MM-DD' % where)
                date = words[1]
                continue
            if len(words) < 3 or not re.fullmatch(r'[1-9][a-z]*', words[1]):
                raise Error('%s: expected NAME SECTION TITLE' % where)
            pages.append(Page(words[0], words[1], ' '.join(words[2:])))
    if date is None:
        raise Error('%s: no date line' % path)
    for p in pages:
        if not p.sources:
            raise Error('%s: page %s(%s) has no source' % (path, p.name, p.section))
    return pages, date


def main(argv):
    listfile = argv[1] if len(argv) > 1 else os.path.join(TOP, 'man', 'pages.txt')
    outdir = argv[2] if len(argv) > 2 else os.path.join(TOP, 'man')
    if len(argv) > 3 or (len(argv) > 1 and argv[1] in ('-h', '--help')):
        sys.stderr.write('usage: md2man.py [LIST [OUTDIR]]\n')
        return 2
    try:
        pages, date = read_list(listfile)
        conv = Converter(pages, date)
        os.makedirs(outdir, exist_ok=True)
        for p in pages:
            text = conv.render(p)
            out = os.path.join(outdir, '%s.%s' % (p.name, p.section))
            with open(out, 'w', encoding='ascii') as f:
                f.write(text)
    except (Error, UnicodeEncodeError) as e:
        sys.stderr.write('md2man: %s\n' % e)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
