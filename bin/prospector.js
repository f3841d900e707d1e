#!/usr/bin/env node
// Runs the CLI from the compiled tree (bin/build.js: esbuild, rebuilt in about a second when a
// source changed), which holds far less memory than transpiling through a loader thread. If the
// tree cannot be built here (a read-only install without a prebuilt tree), or PROSPECTOR_TSX=1,
// it runs the TypeScript directly through tsx's loader instead.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

let entry;
if (process.env.PROSPECTOR_TSX !== '1') {
  try {
    const { ensureBuild } = await import('./build.js');
    entry = path.join(await ensureBuild(), 'cli', 'index.js');
  } catch (err) {
    process.stderr.write(`prospector: running through tsx (could not build: ${err?.message ?? err})\n`);
  }
}
if (entry) {
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/index.ts');
}
