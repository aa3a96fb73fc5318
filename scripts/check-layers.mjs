#!/usr/bin/env node
// The lint step for the one-way pipeline (docs/ARCHITECTURE.md): each layer under src/ may import only
// the layers listed for it. Fails with one line per offending import.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');
const allowed = {
  core: [],
  io: ['core'],
  book: ['core'],
  features: ['core', 'book'],
  mining: ['core', 'book', 'features'],
  surveillance: ['core', 'book', 'features', 'mining'],
  sim: ['core', 'book'],
  store: ['core', 'io'],
  apps: ['core', 'book', 'features', 'mining', 'surveillance', 'sim'],
  live: ['core', 'io'],
  cli: ['*'],
  server: ['*'],
};

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith('.ts')) files.push(path);
  }
};
walk(src);

const problems = [];
for (const file of files) {
  const layer = relative(src, file).split(sep)[0];
  if (layer.endsWith('.ts')) continue; // src/index.ts: the public entry may re-export anything
  const rules = allowed[layer];
  if (!rules) {
    problems.push(`${relative(root, file)}: layer "${layer}" has no rule in scripts/check-layers.mjs`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    const target = resolve(dirname(file), match[1] ?? match[2]);
    if (!target.startsWith(src + sep)) continue;
    const targetLayer = relative(src, target).split(sep)[0];
    if (targetLayer === layer || rules.includes('*') || rules.includes(targetLayer)) continue;
    const line = text.slice(0, match.index).split('\n').length;
    problems.push(`${relative(root, file)}:${line}: layer "${layer}" may not import "${targetLayer}" (allowed: ${rules.join(', ') || 'nothing'})`);
  }
}
if (problems.length) {
  process.stderr.write(problems.join('\n') + '\n');
  process.exit(1);
}
process.stdout.write(`layers ok: ${files.length} files\n`);
