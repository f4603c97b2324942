/**
 * Checks the Dockerfile without a Docker engine: in every stage, each `npm ci` / `npm install` must run after
 * `patches/` has been copied into the working directory, or the install's `postinstall` (patch-package) finds
 * nothing to apply and the image ships the unpatched PostgreSQL driver (README, Quick start).
 *
 *   npx tsx scripts/check-dockerfile.ts [path/to/Dockerfile]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface DockerfileProblem {
  line: number;
  message: string;
}

interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

/** Joins continuation lines and drops comments; keeps the line each instruction starts on. */
function instructions(text: string): Instruction[] {
  const result: Instruction[] = [];
  let pending: { line: number; text: string } | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (!pending && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending && trimmed.startsWith('#')) return; // comments may sit inside a continued instruction
    const continued = trimmed.endsWith('\\');
    const piece = continued ? trimmed.slice(0, -1) : trimmed;
    pending = pending ? { line: pending.line, text: `${pending.text} ${piece}` } : { line: index + 1, text: piece };
    if (continued) return;
    const [keyword = '', ...rest] = pending.text.trim().split(/\s+/);
    result.push({ line: pending.line, keyword: keyword.toUpperCase(), args: rest.join(' ') });
    pending = undefined;
  });
  return result;
}

/** Sources and destination of a COPY/ADD, in shell or JSON form, without its `--flags`. */
function copyOperands(args: string): { sources: string[]; destination: string } | undefined {
  const rest = args.replace(/^(--\S+\s+)*/, '');
  let operands: string[];
  try {
    operands = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/).filter(Boolean);
  } catch {
    return undefined;
  }
  if (operands.length < 2) return undefined;
  return { sources: operands.slice(0, -1), destination: operands[operands.length - 1]! };
}

const stripSlashes = (path: string) => path.replace(/^\.\//, '').replace(/\/+$/, '');

/**
 * Whether this COPY puts `patches/` at `<workdir>/patches`: the whole context into the working directory, or the
 * folder itself to a destination named patches (Docker copies a folder's contents, so `COPY patches ./` would not).
 */
function copiesPatches(operands: { sources: string[]; destination: string }): boolean {
  const destination = stripSlashes(operands.destination);
  return operands.sources.some((source) => {
    const s = stripSlashes(source);
    if (s === '' || s === '.') return destination === '' || destination === '.';
    return s === 'patches' && /(^|\/)patches$/.test(destination);
  });
}

const INSTALL = /\bnpm\s+(ci|install|i)\b/;

export function checkDockerfile(text: string): DockerfileProblem[] {
  const problems: DockerfileProblem[] = [];
  let patchesCopied = false;
  for (const { line, keyword, args } of instructions(text)) {
    if (keyword === 'FROM') patchesCopied = false; // a new stage starts from its base image's files
    if ((keyword === 'COPY' || keyword === 'ADD') && !patchesCopied) {
      const operands = copyOperands(args);
      patchesCopied = operands !== undefined && copiesPatches(operands);
    }
    if (keyword === 'RUN' && INSTALL.test(args) && !patchesCopied) {
      problems.push({
        line,
        message: `line ${line}: "${args}" runs before patches/ is copied in, so patch-package (postinstall) applies nothing; copy patches/ to ./patches first`,
      });
    }
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = process.argv[2] ?? fileURLToPath(new URL('../Dockerfile', import.meta.url));
  const problems = checkDockerfile(readFileSync(path, 'utf8'));
  for (const problem of problems) console.error(`check-dockerfile: ${path}: ${problem.message}`);
  if (problems.length > 0) process.exit(1);
  console.log(`check-dockerfile: ${path}: npm installs run with patches/ in place`);
}
