// The layout language of document templates. A template (Handlebars, domain/documents/templates.ts) renders to
// plain lines, each one block of the PDF:
//   `# text`         the title            `## text`      a heading
//   `| a | b | c |`  a table row; consecutive rows are one table, its first row the header
//   `---`            a rule               `[seal]`, `[logo]`  the reseller's seal or logo (nothing when unset)
//   an empty line    a gap                any other line  a paragraph
// Values put into a template are made inert first (`inert`): one line, `|` escaped as `\|`, so a client's name
// can neither end a table cell nor start a block of its own. Pure.

export type Block =
  | { kind: 'title' | 'heading' | 'text'; text: string }
  | { kind: 'table'; rows: string[][] }
  | { kind: 'rule' | 'gap' }
  | { kind: 'image'; image: 'seal' | 'logo' };

const unescape = (text: string) => text.replace(/\\\|/g, '|').trim();

/** A value as template data: one line, with `|` escaped and a leading `#` or `[` unable to start a block. */
export function inert(value: string): string {
  const line = value.replace(/[\r\n\t]+/g, ' ').trim().replace(/\|/g, '\\|');
  return /^[#[]|^---$/.test(line) ? ` ${line}` : line;
}

/** The cells of a table row: split at every `|` that is not escaped, outer pipes dropped. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return inner.split(/(?<!\\)\|/).map(unescape);
}

export function parseDocumentMarkup(text: string): Block[] {
  const blocks: Block[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    const trimmed = line.trim();
    const last = blocks.at(-1);
    if (trimmed === '') {
      if (last && last.kind !== 'gap') blocks.push({ kind: 'gap' });
    } else if (line.startsWith('|')) {
      if (last?.kind === 'table') last.rows.push(cells(line));
      else blocks.push({ kind: 'table', rows: [cells(line)] });
    } else if (line === '---') blocks.push({ kind: 'rule' });
    else if (line === '[seal]' || line === '[logo]') blocks.push({ kind: 'image', image: line === '[seal]' ? 'seal' : 'logo' });
    else if (line.startsWith('## ')) blocks.push({ kind: 'heading', text: unescape(line.slice(3)) });
    else if (line.startsWith('# ')) blocks.push({ kind: 'title', text: unescape(line.slice(2)) });
    else blocks.push({ kind: 'text', text: unescape(line) });
  }
  while (blocks.at(-1)?.kind === 'gap') blocks.pop();
  return blocks;
}
