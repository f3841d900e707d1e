// The compiled tree the CLI runs from: every source .ts file turned into .js by esbuild (no
// bundling, no type checking: `npm run typecheck` does that), with the files the code reads
// beside itself (migrations, static assets, package.json) copied next to it. Running from it
// instead of through tsx's loader saves the loader's own thread and transforms (an idle worker:
// ~115 MB instead of ~175 MB, see bench/README.md).
//
// The output lives in `.build/<key>/`, where the key hashes every source file's path, size and
// mtime: a changed file gives a new directory, so a process that is running keeps reading the
// tree it started from, and several processes starting at once (tests, compose) each build to a
// temporary directory and the first rename wins. `node bin/build.js` builds ahead of time (the
// Dockerfile does); `PROSPECTOR_TSX=1` runs through tsx instead.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Not part of what the CLI runs. */
const SKIP = new Set([
  'node_modules',
  'test',
  'bench',
  'scratch',
  'test-artifacts',
  '.prospector',
  '.build',
  '.git',
  '.ci',
]);
/** Read by the code at run time from beside itself (the migrations, the UI's static files). */
const ASSET = /\.(sql|css|js|json|svg|png|ico|txt|html)$/;

function walk(dir, rel, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') && e.isDirectory()) continue;
    if (SKIP.has(e.name) && rel === '') continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walk(path.join(dir, e.name), r, out);
    else if (e.isFile() && (e.name.endsWith('.ts') || ASSET.test(e.name)) && !e.name.endsWith('.d.ts')) out.push(r);
  }
  return out;
}

/** The sources and assets, and the key naming their current build. */
export function sourceKey(root = ROOT) {
  const files = walk(root, '', []).sort();
  const h = createHash('sha256').update(process.version);
  for (const f of files) {
    const s = statSync(path.join(root, f));
    h.update(`${f}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return { files, key: h.digest('hex').slice(0, 16) };
}

/** Builds in flight in this process, by output directory (esbuild's service is shared). */
const inflight = new Map();

/** Builds if needed; resolves to the directory holding `cli/index.js`. */
export async function ensureBuild(root = ROOT) {
  const { files, key } = sourceKey(root);
  const out = path.join(root, '.build');
  const dir = path.join(out, key);
  if (existsSync(path.join(dir, '.complete'))) return dir;
  if (!inflight.has(dir))
    inflight.set(
      dir,
      build(root, files, key).finally(() => inflight.delete(dir)),
    );
  return inflight.get(dir);
}

async function build(root, files, key) {
  const out = path.join(root, '.build');
  const dir = path.join(out, key);
  mkdirSync(out, { recursive: true });
  const tmp = path.join(out, `tmp-${process.pid}-${Date.now()}`);
  const esbuild = await import('esbuild');
  try {
    await esbuild.build({
      entryPoints: files.filter((f) => f.endsWith('.ts')).map((f) => path.join(root, f)),
      outdir: tmp,
      outbase: root,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      bundle: false,
      tsconfig: path.join(root, 'tsconfig.json'),
      logLevel: 'silent',
    });
    for (const f of files.filter((f) => !f.endsWith('.ts')))
      cpSync(path.join(root, f), path.join(tmp, f), { preserveTimestamps: true });
    writeFileSync(path.join(tmp, '.complete'), `${new Date().toISOString()}\n`);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another process finished the same build first: use theirs.
      if (!existsSync(path.join(dir, '.complete'))) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    // No child process left behind once nothing else is building here.
    if (inflight.size <= 1) await esbuild.stop?.();
  }
  prune(out, key);
  return dir;
}

/** Drops builds of older sources after a day (a process started from one may still be running). */
function prune(out, keep) {
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of readdirSync(out)) {
    if (name === keep) continue;
    const p = path.join(out, name);
    try {
      if (statSync(p).mtimeMs < dayAgo) rmSync(p, { recursive: true, force: true });
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const dir = await ensureBuild();
  console.log(`built ${path.relative(ROOT, dir)} in ${Date.now() - started} ms`);
}
