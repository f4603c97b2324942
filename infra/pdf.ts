// PDF rendering of documents (issue 21 point 6) with PDFKit: a maintained library (MIT) that writes PDF from
// Node without a browser, embeds TrueType fonts as subsets (DejaVu Sans from the `dejavu-fonts-ttf` package, so
// Cyrillic renders: PDF's standard fonts have no Cyrillic) and takes PNG and JPEG images as they are. Given the
// same blocks, images and metadata it writes the same bytes: the file ID is a hash of the metadata, whose dates
// come from the document, not the clock. Knows no business: it lays out the blocks of domain/documents/markup.ts.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { Block } from '../domain/documents/markup';

const fontDir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
let fonts: { regular: Buffer; bold: Buffer } | undefined;
/** Read once per process (about 1.4 MB); each document embeds only the glyphs it uses. */
const loadFonts = () => (fonts ??= { regular: readFileSync(join(fontDir, 'DejaVuSans.ttf')), bold: readFileSync(join(fontDir, 'DejaVuSans-Bold.ttf')) });

export interface PdfInput {
  blocks: Block[];
  images: { seal?: Buffer | null; logo?: Buffer | null };
  title: string;
  author: string;
  /** The document's own date: the PDF's creation date (and so its file ID). */
  createdAt: Date;
  language: string;
}

const margin = 50;
const numeric = /^[-+]?[\d\s\u00a0.,]+(\s[A-Z]{3})?$/;

/** Opens an image the way rendering will, so that a broken PNG or JPEG is refused when it is saved, not printed. */
export function checkImage(bytes: Buffer): boolean {
  try {
    (new PDFDocument({ autoFirstPage: false }) as unknown as { openImage(src: Buffer): unknown }).openImage(bytes);
    return true;
  } catch {
    return false;
  }
}

export function renderPdf(input: PdfInput): Promise<Buffer> {
  const { regular, bold } = loadFonts();
  const doc = new PDFDocument({
    size: 'A4',
    margin,
    lang: input.language,
    displayTitle: true,
    info: { Title: input.title, Author: input.author, Creator: 'billing-platform', Producer: 'PDFKit', CreationDate: input.createdAt, ModDate: input.createdAt },
  });
  doc.registerFont('body', regular);
  doc.registerFont('bold', bold);
  doc.font('body').fontSize(10);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  for (const block of input.blocks) drawBlock(doc, block, input.images);
  doc.end();
  return done;
}

function drawBlock(doc: PDFKit.PDFDocument, block: Block, images: PdfInput['images']): void {
  const width = doc.page.width - 2 * margin;
  switch (block.kind) {
    case 'title':
      doc.font('bold').fontSize(16).text(block.text, { width }).moveDown(0.5).font('body').fontSize(10);
      return;
    case 'heading':
      doc.font('bold').fontSize(12).text(block.text, { width }).font('body').fontSize(10);
      return;
    case 'text':
      doc.text(block.text, { width });
      return;
    case 'gap':
      doc.moveDown(0.6);
      return;
    case 'rule':
      doc.moveTo(margin, doc.y).lineTo(margin + width, doc.y).lineWidth(0.5).stroke().moveDown(0.3);
      return;
    case 'image': {
      const bytes = images[block.image];
      if (!bytes) return;
      const height = block.image === 'seal' ? 110 : 50;
      if (doc.y + height > doc.page.height - margin) doc.addPage();
      doc.image(bytes, margin, doc.y, { fit: [block.image === 'seal' ? 110 : 200, height] });
      doc.y += height + 6;
      return;
    }
    case 'table':
      drawTable(doc, block.rows, width);
  }
}

/** Columns sized by their longest text (within bounds); number columns right-aligned; the header row bold; rows never split. */
function drawTable(doc: PDFKit.PDFDocument, rows: string[][], width: number): void {
  const columns = Math.max(...rows.map((r) => r.length));
  const longest = Array.from({ length: columns }, (_, i) => Math.min(60, Math.max(3, ...rows.map((r) => (r[i] ?? '').length))));
  const total = longest.reduce((s, n) => s + n, 0);
  const widths = longest.map((n) => (n / total) * width);
  const pad = 3;
  // A column of numbers (every body cell) is right-aligned, its header too.
  const body = rows.slice(1);
  const right = Array.from({ length: columns }, (_, i) => body.length > 0 && body.every((r) => numeric.test(r[i] ?? '')));
  rows.forEach((row, index) => {
    doc.font(index === 0 ? 'bold' : 'body');
    const heights = row.map((cell, i) => doc.heightOfString(cell, { width: widths[i]! - 2 * pad }));
    const height = Math.max(...heights, doc.currentLineHeight()) + 2 * pad;
    if (doc.y + height > doc.page.height - margin) doc.addPage();
    const top = doc.y;
    let x = margin;
    for (let i = 0; i < columns; i++) {
      const cell = row[i] ?? '';
      doc.text(cell, x + pad, top + pad, { width: widths[i]! - 2 * pad, align: right[i] ? 'right' : 'left' });
      x += widths[i]!;
    }
    doc.moveTo(margin, top + height).lineTo(margin + width, top + height).lineWidth(index === 0 ? 0.8 : 0.3).stroke();
    doc.x = margin;
    doc.y = top + height;
  });
  doc.font('body');
}
