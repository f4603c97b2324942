// Types of eslint/layers.js for the TypeScript that imports it (test/architecture.test.ts); the JS file is the source.
import type { ESLint } from 'eslint';

export const root: string;
export const layers: Record<string, { may: string[]; typesOnly?: string[]; says: string }>;
export function layerOf(path: string): string | null;
export function refusal(from: string, to: string, typeOnly: boolean): string | null;
export const layersPlugin: ESLint.Plugin;
