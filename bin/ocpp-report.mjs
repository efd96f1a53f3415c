#!/usr/bin/env node
// Runs the CLI compiled to dist/ at `npm install` / `npm ci` (the prepare script: npm run build),
// so a start does not transpile. When the TypeScript in jobs/ is newer than that build (a
// developer's edit, a fresh clone before its install, a checkout), it runs the TypeScript through
// tsx instead: slower to start, never stale.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'jobs', 'cli.js');

function compiledIsCurrent() {
  if (!existsSync(compiled)) return false;
  const builtAt = statSync(compiled).mtimeMs;
  const sources = join(root, 'jobs');
  return readdirSync(sources, { recursive: true }).every(
    (name) => !String(name).endsWith('.ts') || statSync(join(sources, String(name))).mtimeMs <= builtAt,
  );
}

if (compiledIsCurrent()) {
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../jobs/cli.ts');
}
