import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDockerfile } from './check-dockerfile';

const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');

describe('the Dockerfile installs npm dependencies with the driver patch in place (issue 16, point 8)', () => {
  it("the repository's Dockerfile copies patches/ before npm ci", () => {
    expect(checkDockerfile(dockerfile)).toEqual([]);
  });

  it('refuses an install before patches/ is copied', () => {
    const problems = checkDockerfile(['FROM node:20', 'WORKDIR /app', 'COPY package.json package-lock.json ./', 'RUN npm ci --omit=dev', 'COPY . .'].join('\n'));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.line).toBe(4);
    expect(problems[0]!.message).toMatch(/npm ci --omit=dev.*before patches\/ is copied/);
  });

  it('accepts patches copied by name or with the whole context, in shell or JSON form, with flags', () => {
    for (const copy of ['COPY patches ./patches', 'COPY --chown=node:node patches/ patches/', 'COPY ["patches", "/app/patches"]', 'COPY . .', 'ADD . ./']) {
      expect(checkDockerfile(['FROM node:20', 'WORKDIR /app', copy, 'RUN npm ci'].join('\n')), copy).toEqual([]);
    }
  });

  it('refuses a copy that puts the patch files somewhere patch-package does not look', () => {
    // Docker copies a folder's contents: `COPY patches ./` leaves the .patch files in the working directory.
    expect(checkDockerfile(['FROM node:20', 'COPY patches ./', 'RUN npm install'].join('\n'))).toHaveLength(1);
  });

  it('checks every stage on its own and follows continued lines', () => {
    const text = ['FROM node:20 AS deps', 'COPY . .', 'RUN npm ci', 'FROM node:20', 'COPY package.json ./', 'RUN apt-get update && \\', '    npm install --omit=dev'].join('\n');
    expect(checkDockerfile(text).map((p) => p.line)).toEqual([6]);
  });
});
