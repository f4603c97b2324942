/**
 * Lists the non-test functions over 80 lines (the house rule: split them, or say why in the comment above them,
 * with a sentence starting "Long because"). `npx tsx scripts/long-functions.ts` prints them; test/architecture.test.ts
 * fails on one without its reason.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export const longFunctionLimit = 80;

export interface LongFunction {
  file: string;
  name: string;
  line: number;
  lines: number;
  /** The comment above the function (or above the statement that holds it) says why it is long. */
  explained: boolean;
}

const skipped = new Set(['node_modules', 'test', 'bench', 'scripts', 'eslint', 'docs', '.git', 'test-results', '.tools', '.data']);

function sourceFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.') || (dir === root && skipped.has(name))) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(root, path));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function nameOf(node: ts.Node): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText();
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText();
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText();
  if (parent && ts.isCallExpression(parent)) return `${parent.expression.getText().slice(0, 40)}(…)`;
  return '(anonymous)';
}

/** The comments above the node and above the statements holding it, nearest first. */
function commentsAbove(node: ts.Node, text: string): string {
  let out = '';
  for (let n: ts.Node | undefined = node; n && !ts.isSourceFile(n); n = n.parent) {
    for (const range of ts.getLeadingCommentRanges(text, n.getFullStart()) ?? []) out += text.slice(range.pos, range.end);
    if (ts.isStatement(n) || ts.isClassElement(n) || ts.isPropertyAssignment(n)) {
      if (out) break;
    }
  }
  return out;
}

export function longFunctions(root: string): LongFunction[] {
  const found: LongFunction[] = [];
  for (const path of sourceFiles(root)) {
    const text = readFileSync(path, 'utf8');
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const lines = end - start + 1;
        if (lines > longFunctionLimit) {
          found.push({ file: relative(root, path), name: nameOf(node), line: start + 1, lines, explained: /Long(\s|\*)+because/.test(commentsAbove(node, text)) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found.sort((a, b) => b.lines - a.lines);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(import.meta.dirname, '..');
  for (const f of longFunctions(root)) console.log(`${String(f.lines).padStart(4)}  ${f.explained ? 'explained  ' : 'UNEXPLAINED'}  ${f.file}:${f.line}  ${f.name}`);
}
